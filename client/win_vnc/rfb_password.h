#pragma once
// The one-time password's gate, in libvncserver's terms, for the libvncserver backends
// (helpline-win-vnc and helpline-portal-vnc, which compiles this file in). VNC
// authentication's check: the viewer's answer must be the challenge encrypted (DES) with
// the one-time password, compared in constant time so that the time taken tells nothing of
// how much of it was right. ViewerGate decides who is let in; these functions apply its
// decisions to libvncserver's clients.

#include <rfb/rfb.h>

#include <string>

#include "client/win_vnc/viewer_gate.h"

namespace helpline::win_vnc {

/// Whether `response` (`length` bytes) answers `client`'s challenge under `password` (VNC
/// uses its first 8 characters; rfbEncryptBytes wants it writable).
bool rfb_password_correct(rfbClientPtr client, const char* response, int length,
                          std::string& password);

/// libvncserver's new-client hook, through the gate: a connection the gate takes is
/// accepted and tells `gone` when it closes (which must call `gate.disconnected`).
rfbNewClientAction gate_new_client(ViewerGate& gate, rfbClientPtr client,
                                   ClientGoneHookPtr gone);

/// The gate's verdict on `client`'s VNC authentication answer: only `let_in` logs it in.
ViewerGate::Verdict gate_password(ViewerGate& gate, rfbClientPtr client, const char* response,
                                  int length, std::string& password);

/// What the program says when the gate locks after too many wrong passwords.
std::string too_many_wrong_passwords();

/// Closes the connections the gate gives up on (out of time to log in; the others, once the
/// viewer is in). Call it between libvncserver's rounds, never from inside its loop over
/// clients; a closed client stays listed until the next round lets it go.
void close_gated(const ViewerGate& gate);

}  // namespace helpline::win_vnc
