#include "client/vnc_auth/rfb_handshake.h"

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <optional>

#include "shared/vnc_des.h"

namespace helpline::client::vnc_auth {

namespace {

constexpr char kSecurityNone = 1;
constexpr char kSecurityVnc = 2;
/// A backend's reason string is shown in an error message, not stored: a few KiB is plenty.
constexpr std::uint32_t kMaxReason = 4096;

struct Version {
    int major = 0;
    int minor = 0;
};

/// "RFB xxx.yyy\n" (RFC 6143 §7.1.1); nullopt for anything else.
std::optional<Version> parse_version(std::string_view text) {
    if (text.size() != 12 || text.substr(0, 4) != "RFB " || text[7] != '.' || text[11] != '\n')
        return std::nullopt;
    Version v;
    for (std::size_t i = 4; i < 11; ++i) {
        if (i == 7) continue;
        const char c = text[i];
        if (c < '0' || c > '9') return std::nullopt;
        int& part = i < 7 ? v.major : v.minor;
        part = part * 10 + (c - '0');
    }
    return v;
}

/// Versions served to viewers. Others (3.3, and the odd 3.4/3.5/3.889 that RFC 6143 says to
/// treat as 3.3) would need the server to choose the security type itself, and 3.3 has no
/// way to say why a password was wrong.
bool viewer_version_served(const Version& v) {
    return v.major == 3 && (v.minor == 7 || v.minor == 8);
}

std::string printable(std::string_view bytes) {
    std::string out;
    for (const char c : bytes) {
        if (c >= 0x20 && c < 0x7f)
            out.push_back(c);
        else
            out += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
    }
    return out;
}

std::string with_length(std::string_view reason) {
    return be32(static_cast<std::uint32_t>(reason.size())) + std::string(reason);
}

/// A reason string from the backend (length-prefixed), read as far as it is reasonable.
std::string read_reason(int fd, Clock::time_point deadline, int stop_fd) {
    auto length = read_exact(fd, 4, deadline, stop_fd);
    if (!length) return {};
    const std::uint32_t size = read_be32(*length);
    auto text = read_exact(fd, size > kMaxReason ? kMaxReason : size, deadline, stop_fd);
    return text ? printable(*text) : std::string();
}

}  // namespace

std::string refusal_after_version(std::string_view viewer_version, std::string_view reason) {
    const auto v = parse_version(viewer_version);
    if (v && viewer_version_served(*v)) return std::string(1, '\0') + with_length(reason);
    return be32(0) + with_length(reason);  // 3.3: security type 0 ("invalid"), then the reason
}

Result<ViewerHandshake> authenticate_viewer(int fd, std::string_view password,
                                            Clock::time_point deadline, int stop_fd) {
    if (auto sent = write_all(fd, kServerVersion, deadline, stop_fd); !sent) return sent.error();
    auto version_text = read_exact(fd, 12, deadline, stop_fd);
    if (!version_text) return version_text.error();
    ViewerHandshake result;
    const auto version = parse_version(*version_text);
    if (!version) {
        // Not an RFB viewer at all: nothing it could read is worth sending.
        result.detail =
            fmt::format("the peer sent '{}', not an RFB version", printable(*version_text));
        return result;
    }
    if (!viewer_version_served(*version)) {
        result.detail = fmt::format("the viewer speaks RFB {}.{}; only 3.7 and 3.8 are served",
                                    version->major, version->minor);
        const std::string reason = fmt::format(
            "This server needs RFB 3.7 or 3.8 (VNC authentication with a reason on failure); "
            "the viewer offered {}.{}.",
            version->major, version->minor);
        if (auto sent =
                write_all(fd, refusal_after_version(*version_text, reason), deadline, stop_fd);
            !sent)
            return sent.error();
        return result;
    }
    result.minor = version->minor;

    if (auto sent = write_all(fd, std::string{'\x01', kSecurityVnc}, deadline, stop_fd); !sent)
        return sent.error();
    auto chosen = read_exact(fd, 1, deadline, stop_fd);
    if (!chosen) return chosen.error();
    if ((*chosen)[0] != kSecurityVnc) {
        result.detail = fmt::format("the viewer chose security type {}, not offered",
                                    static_cast<unsigned char>((*chosen)[0]));
        if (auto sent = send_security_result(fd, result.minor, false,
                                             "Only VNC authentication (type 2) is offered.",
                                             deadline, stop_fd);
            !sent)
            return sent.error();
        return result;
    }

    unsigned char challenge[kVncChallengeSize];
    if (RAND_bytes(challenge, sizeof challenge) != 1)
        return make_error("rfb.random",
                          "The system's random number generator failed; no challenge was made.");
    const std::string challenge_text(reinterpret_cast<const char*>(challenge), sizeof challenge);
    if (auto sent = write_all(fd, challenge_text, deadline, stop_fd); !sent) return sent.error();
    auto answer = read_exact(fd, kVncChallengeSize, deadline, stop_fd);
    if (!answer) return answer.error();
    auto expected = vnc_challenge_response(password.substr(0, kVncPasswordMax), challenge_text);
    if (!expected) return expected.error();
    if (CRYPTO_memcmp(expected->data(), answer->data(), kVncChallengeSize) == 0) {
        result.verdict = ViewerVerdict::authenticated;
        result.detail = fmt::format("viewer authenticated (RFB 3.{})", result.minor);
        return result;
    }
    result.verdict = ViewerVerdict::wrong_password;
    result.detail = "the viewer's password was wrong";
    if (auto sent = send_security_result(
            fd, result.minor, false, "Authentication failed: wrong password.", deadline, stop_fd);
        !sent)
        return sent.error();
    return result;
}

Status send_security_result(int fd, int minor, bool ok, std::string_view reason,
                            Clock::time_point deadline, int stop_fd) {
    std::string message = be32(ok ? 0 : 1);
    if (!ok && minor >= 8) message += with_length(reason);
    return write_all(fd, message, deadline, stop_fd);
}

Status open_backend(int fd, Clock::time_point deadline, int stop_fd) {
    auto version_text = read_exact(fd, 12, deadline, stop_fd);
    if (!version_text) return version_text.error();
    const auto version = parse_version(*version_text);
    if (!version || version->major != 3 || version->minor < 7)
        return make_error(handshake_error::kBackendVersion,
                          fmt::format("The screen-sharing program greeted with '{}'; "
                                      "helpline-vnc-auth needs an RFB 3.7 or 3.8 server behind it.",
                                      printable(*version_text)));
    const int minor = version->minor >= 8 ? 8 : 7;
    if (auto sent =
            write_all(fd, minor == 8 ? "RFB 003.008\n" : "RFB 003.007\n", deadline, stop_fd);
        !sent)
        return sent.error();

    auto count = read_exact(fd, 1, deadline, stop_fd);
    if (!count) return count.error();
    if ((*count)[0] == 0)
        return make_error(handshake_error::kBackendRefused,
                          fmt::format("The screen-sharing program refused the connection: {}",
                                      read_reason(fd, deadline, stop_fd)));
    auto types = read_exact(fd, static_cast<unsigned char>((*count)[0]), deadline, stop_fd);
    if (!types) return types.error();
    if (types->find(kSecurityNone) == std::string::npos) {
        std::string offered;
        for (const char t : *types)
            offered +=
                (offered.empty() ? "" : ", ") + std::to_string(static_cast<unsigned char>(t));
        return make_error(
            handshake_error::kBackendNoNone,
            fmt::format("The screen-sharing program offers no connection without its own "
                        "authentication on its private socket (security types offered: {}; "
                        "None is 1). helpline-vnc-auth does the authentication itself: turn the "
                        "program's own off (for wayvnc: no enable_auth in "
                        "~/.config/wayvnc/config).",
                        offered));
    }
    if (auto sent = write_all(fd, std::string(1, kSecurityNone), deadline, stop_fd); !sent)
        return sent.error();
    if (minor == 7) return Ok{};  // RFB 3.7 sends no SecurityResult after None
    auto verdict = read_exact(fd, 4, deadline, stop_fd);
    if (!verdict) return verdict.error();
    if (read_be32(*verdict) != 0)
        return make_error(handshake_error::kBackendRefused,
                          fmt::format("The screen-sharing program refused the connection: {}",
                                      read_reason(fd, deadline, stop_fd)));
    return Ok{};
}

}  // namespace helpline::client::vnc_auth
