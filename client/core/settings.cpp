#include "client/core/settings.h"

#include <nlohmann/json.hpp>

#include "shared/atomic_file.h"
#include "shared/bytes.h"

namespace helpline::client {
namespace {

constexpr std::uint64_t kMaxSettings = 64 * 1024;

std::filesystem::path file_in(const std::filesystem::path& dir) {
    return dir / "settings.json";
}

}  // namespace

Settings Settings::load(const std::filesystem::path& config_dir) {
    Settings settings;
    auto bytes = read_file(file_in(config_dir), kMaxSettings);
    if (!bytes) return settings;
    const auto doc = nlohmann::json::parse(bytes->begin(), bytes->end(), nullptr, false);
    if (doc.is_object() && doc.contains("email") && doc["email"].is_string())
        settings.email = doc["email"].get<std::string>();
    return settings;
}

Status Settings::save(const std::filesystem::path& config_dir) const {
    const nlohmann::json doc = {{"email", email}};
    return write_file_atomic(file_in(config_dir), as_bytes(doc.dump(2) + "\n"), 0600);
}

}  // namespace helpline::client
