#pragma once
// What the customer reads when something went wrong, in their language. The core and the
// server explain failures in English for logs and terminals (Error::message, a problem's
// detail); the GUI words them itself from the error's code, and the English detail goes
// to client.log (About links it), where the support team can read it.

#include <wx/string.h>

#include <vector>

#include "shared/profile.h"
#include "shared/result.h"

namespace helpline::gui {

/// Why no remote-control program could start (launch_error codes: Wayland, no display,
/// not installed, none in the profile). `backends` names the program the profile wants.
wxString launch_problem_text(const Error& error, const std::vector<ProfileBackend>& backends);
/// Why the server did not take the customer's Allow (session_error codes).
wxString accept_problem_text(const Error& error);
/// Why the session could not be connected through the server (tunnel_error, net_error).
wxString tunnel_problem_text(const Error& error);
/// Why a request could not be saved on this computer (io codes of the outbox).
wxString save_problem_text(const Error& error);
/// Why this copy of the client cannot start (stamp_error codes, an invalid profile).
wxString stamp_problem_text(const Error& error);

}  // namespace helpline::gui
