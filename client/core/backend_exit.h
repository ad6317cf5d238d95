#pragma once
// Exit statuses by which a backend tells the launcher more than "it failed", before it
// listens. helpline-portal-vnc uses them; x11vnc never exits with them before listening
// (it exits 1 on its errors), and a profile's other programs would have to mean the same to
// use them. Documented in docs/client.md ("Backends").

namespace helpline::client::backend_exit {

/// The customer cancelled the desktop's own sharing dialog (the portal's "Share screen"):
/// a refusal, reported to the operator as such, not an error.
inline constexpr int kDeclinedOnDesktop = 3;
/// This desktop does not offer what the backend needs (no RemoteDesktop portal, e.g. on a
/// wlroots desktop): the launcher tries the profile's next backend for the session type.
inline constexpr int kUnavailable = 4;

}  // namespace helpline::client::backend_exit
