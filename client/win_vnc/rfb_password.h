#pragma once
// VNC authentication's check, for the libvncserver backends (helpline-win-vnc and
// helpline-portal-vnc, which compiles this file in): the viewer's answer must be the
// challenge encrypted (DES) with the one-time password, compared in constant time so that
// the time taken tells nothing of how much of it was right.

#include <rfb/rfb.h>

#include <string>

namespace helpline::win_vnc {

/// Whether `response` (`length` bytes) answers `client`'s challenge under `password` (VNC
/// uses its first 8 characters; rfbEncryptBytes wants it writable).
bool rfb_password_correct(rfbClientPtr client, const char* response, int length,
                          std::string& password);

}  // namespace helpline::win_vnc
