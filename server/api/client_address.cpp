#include "server/api/client_address.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cctype>

#include "server/http/server.h"
#include "shared/text.h"

namespace helpline::server::api {
namespace {

bool is_ip_address(std::string_view text) {
    if (text.empty() || text.size() > 45) return false;
    const std::string s(text);
    std::array<unsigned char, 16> bytes{};
    return inet_pton(AF_INET, s.c_str(), bytes.data()) == 1 || inet_pton(AF_INET6, s.c_str(), bytes.data()) == 1;
}

}  // namespace

bool is_forwarded(const http::Request& request) {
    return std::any_of(request.headers.all().begin(), request.headers.all().end(), [](const auto& field) {
        return iequals(field.first, "Forwarded") || iequals(field.first, "X-Forwarded-For") ||
               iequals(field.first, "X-Real-IP");
    });
}

bool is_local_request(const http::Request& request) {
    return http::is_loopback_address(request.remote_address) && !is_forwarded(request);
}

std::string last_forwarded_for(const http::Request& request) {
    // A proxy appends to the last field (or adds one): the last entry of the last field
    // is the address it saw.
    std::string_view last;
    bool found = false;
    for (const auto& [name, value] : request.headers.all()) {
        if (!iequals(name, "X-Forwarded-For")) continue;
        last = value;
        found = true;
    }
    if (!found) return {};
    const auto comma = last.rfind(',');
    const std::string_view entry = trim_blanks(comma == std::string_view::npos ? last : last.substr(comma + 1));
    return is_ip_address(entry) ? std::string(entry) : std::string();
}

bool from_trusted_proxy(const http::Request& request, const Config& config) {
    if (config.trust_forwarded_for && http::is_loopback_address(request.remote_address)) return true;
    // An IPv4 peer on a dual-stack socket reads as ::ffff:a.b.c.d.
    std::string_view peer = request.remote_address;
    if (peer.rfind("::ffff:", 0) == 0 && peer.find('.') != std::string_view::npos) peer.remove_prefix(7);
    return std::find(config.trusted_proxies.begin(), config.trusted_proxies.end(), peer) !=
           config.trusted_proxies.end();
}

std::string client_address(const http::Request& request, const Config& config) {
    if (!from_trusted_proxy(request, config)) return request.remote_address;
    std::string forwarded = last_forwarded_for(request);
    return forwarded.empty() ? request.remote_address : forwarded;
}

}  // namespace helpline::server::api
