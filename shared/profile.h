#pragma once
// The branding profile, schema v1 (docs/profile.md): what a team's branded client
// shows and which server and backends it uses.

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shared/localized.h"
#include "shared/result.h"

namespace helpline {

enum class Priority { low, medium, high, urgent };
enum class SubjectMode { hidden, optional, required };

std::string_view to_string(Priority p);
std::optional<Priority> parse_priority(std::string_view s);
std::string_view to_string(SubjectMode m);

struct ProfileGroup {
    std::string id;
    LocalizedText name;
};

struct ProfileBackend {
    std::string id;
    std::string when;  ///< "x11" | "wayland" | "windows" | "none" | "any" (any Linux session)
    std::vector<std::string> argv;
};

struct Profile {
    int schema = 1;
    std::string id;
    std::int64_t revision = 1;
    LocalizedText name;

    struct Server {
        std::string url;
        std::vector<std::string> pins;  ///< "sha256//BASE64" public-key pins for libcurl
        /// PEM certificates the client trusts for this server instead of the system's
        /// CAs (a private CA, or the certificate of `helpline-server run --self-signed`);
        /// empty: the system's CAs.
        std::string ca;
    } server;

    struct Appearance {
        std::string logo;    ///< asset file name, empty when none
        std::string accent;  ///< "#RRGGBB"
        LocalizedText welcome;
    } appearance;

    struct Assistance {
        bool enabled = true;
        std::vector<ProfileGroup> groups;
        std::optional<std::string> default_group;
        Priority default_priority = Priority::medium;
        bool customer_sets_priority = false;
        SubjectMode subject = SubjectMode::optional;
        int max_description = 4000;
        /// What a customer may attach to a request or to one reply: checked by the client
        /// before sending (client/core/attachment_limits.h). max_files 0: no attachments.
        struct Attachments {
            int max_files = 5;
            int max_total_mib = 20;
        } attachments;
    } assistance;

    struct Remote {
        bool enabled = true;
        int request_timeout_s = 60;
        std::vector<ProfileBackend> backends;
    } remote;

    /// How customers reach the team besides the client (shown in the client's About, used as
    /// the maintainer of the branded packages); empty when the profile has none.
    struct Support {
        std::string email;
        std::string url;  ///< a web page (https), empty when none
    } support;

    std::vector<std::string> languages;
};

/// One thing wrong with a profile: where (JSON path such as "assistance.groups[1].id")
/// and what, including how to fix it where we can tell.
struct ProfileProblem {
    std::string path;
    std::string message;

    std::string to_string() const { return path.empty() ? message : path + ": " + message; }
    bool operator==(const ProfileProblem&) const = default;
};

/// Parses and validates a profile, reporting every problem at once (empty on success).
/// `profile` is filled as far as the input allows even when there are problems.
std::vector<ProfileProblem> parse_profile(const nlohmann::json& doc, Profile& profile);

/// The same from text; a JSON syntax error is one problem naming line and column.
std::vector<ProfileProblem> parse_profile_text(std::string_view text, Profile& profile);

/// Limits, shared with the server and the client-side validation.
inline constexpr int kMinDescriptionLimit = 100;
inline constexpr int kMaxDescriptionLimit = 16000;
inline constexpr int kMinRequestTimeoutS = 10;
inline constexpr int kMaxRequestTimeoutS = 600;
/// A message names at most 20 attachments (docs/protocol.md), so a request or reply can
/// carry no more.
inline constexpr int kMaxAttachmentFiles = 20;
inline constexpr int kMinAttachmentTotalMib = 1;
inline constexpr int kMaxAttachmentTotalMib = 100;

}  // namespace helpline
