#pragma once
// Time-based one-time passwords (TOTP, RFC 6238) with Debian's liboath: 6 digits, 30-second
// steps, HMAC-SHA1 — what every authenticator app reads from an otpauth:// URI.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "server/store/model.h"

namespace helpline::server {

inline constexpr int kTotpStepSeconds = 30;
inline constexpr int kTotpDigits = 6;
/// Codes of the step before and after the current one are accepted too: a phone's clock
/// a little off, or a code typed as it changed.
inline constexpr int kTotpWindowSteps = 1;

/// A new secret: 160 random bits (RFC 4226's recommended length) from libsodium, as
/// unpadded base32 (32 characters).
std::string new_totp_secret();

/// The time step of `t`: Unix seconds / 30.
std::int64_t totp_step(Timestamp t);

/// The code for `secret` (base32) at time step `step`; empty when the secret is not base32.
std::string totp_code(const std::string& secret, std::int64_t step);

/// The time step, within the window around `now`, whose code is `code`, skipping steps at
/// or before `used_step` (codes already used). nullopt when no step matches. Spaces in
/// `code` are ignored ("123 456"); comparisons are constant-time.
std::optional<std::int64_t> match_totp(const std::string& secret, std::string_view code,
                                       Timestamp now, std::int64_t used_step);

/// "otpauth://totp/Issuer:account?secret=…&issuer=Issuer&algorithm=SHA1&digits=6&period=30",
/// the label and parameters percent-encoded (Google Authenticator's key URI format).
std::string otpauth_uri(std::string_view issuer, std::string_view account, std::string_view secret);

}  // namespace helpline::server
