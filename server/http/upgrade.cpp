#include "server/http/upgrade.h"

#include <algorithm>
#include <cctype>

#include "shared/text.h"

namespace helpline::server::http {
namespace {

/// The comma-separated elements of every `name` header (RFC 9110 §5.6.1 lists).
std::vector<std::string_view> list_elements(const Request& request, std::string_view name) {
    std::vector<std::string_view> out;
    for (const auto& [field, value] : request.headers.all()) {
        if (!iequals(field, name)) continue;
        std::string_view rest = value;
        while (!rest.empty()) {
            const auto comma = rest.find(',');
            const auto element = trim_blanks(rest.substr(0, comma));
            if (!element.empty()) out.push_back(element);
            if (comma == std::string_view::npos) break;
            rest.remove_prefix(comma + 1);
        }
    }
    return out;
}

bool lists(const Request& request, std::string_view name, std::string_view token) {
    const auto elements = list_elements(request, name);
    return std::any_of(elements.begin(), elements.end(),
                       [&](std::string_view e) { return iequals(e, token); });
}

bool is_base64_of_16_bytes(std::string_view key) {
    // 16 bytes are 24 characters: 21 free, then one of "AQgw" (the last 4 bits are zero),
    // then "==".
    if (key.size() != 24 || key.substr(22) != "==") return false;
    for (std::size_t i = 0; i < 22; ++i) {
        const char c = key[i];
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '/') return false;
    }
    return std::string_view("AQgw").find(key[21]) != std::string_view::npos;
}

}  // namespace

Response upgrade_response(Upgrade upgrade) {
    Response response;
    response.status = 101;
    response.content_type.clear();
    response.upgrade = std::make_shared<Upgrade>(std::move(upgrade));
    return response;
}

bool asks_upgrade(const Request& request, std::string_view protocol) {
    return lists(request, "Upgrade", protocol) && lists(request, "Connection", "upgrade");
}

bool is_websocket_handshake(const Request& request) {
    const auto version = request.header("Sec-WebSocket-Version");
    const auto key = request.header("Sec-WebSocket-Key");
    const auto host = request.header("Host");
    return request.method == "GET" && asks_upgrade(request, "websocket") && version &&
           trim_blanks(*version) == "13" && key && is_base64_of_16_bytes(trim_blanks(*key)) && host &&
           !trim_blanks(*host).empty();
}

std::vector<std::string> websocket_protocols(const Request& request) {
    std::vector<std::string> out;
    for (const auto element : list_elements(request, "Sec-WebSocket-Protocol"))
        out.emplace_back(element);
    return out;
}

void release_channel(ByteChannel& channel, bool& released) {
    if (released) return;
    released = true;
    channel.inbound().set_producer_waker({});
    channel.outbound().set_consumer_waker({});
    channel.closed();
    channel.inbound().close();
    channel.outbound().abort();
}

}  // namespace helpline::server::http
