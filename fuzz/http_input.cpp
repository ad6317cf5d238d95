#include "fuzz/http_input.h"

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstdlib>
#include <limits>
#include <optional>
#include <string>

#include "server/http/problem.h"
#include "server/http/router.h"

namespace helpline::fuzz {
namespace {

namespace bhttp = boost::beast::http;
namespace net = boost::asio;
using Parser = bhttp::request_parser<bhttp::string_body>;

/// Feeds `bytes` to `parser` until `done` or an error; returns the bytes used.
std::size_t put_until(Parser& parser, std::string_view bytes, bool header_only,
                      boost::beast::error_code& ec) {
    std::size_t used = 0;
    while (!(header_only ? parser.is_header_done() : parser.is_done())) {
        const auto n = parser.put(net::buffer(bytes.data() + used, bytes.size() - used), ec);
        used += n;
        // Every byte left was offered: needing more (or taking none, at the end of the
        // bytes inside a chunk) means the connection ends here, as the session's read
        // would report.
        if (ec == bhttp::error::need_more || (!ec && n == 0 && used == bytes.size())) {
            if (n == 0 || used == bytes.size()) {
                ec = {};
                parser.put_eof(ec);
                if (!ec) ec = bhttp::error::partial_message;
                return used;
            }
            ec = {};
            continue;
        }
        if (ec) return used;
        if (n == 0) std::abort();  // stalled on bytes it has: the session would hang
    }
    return used;
}

}  // namespace

int for_each_request(std::string_view bytes,
                     const std::function<void(server::http::Request&)>& handle) {
    int refused = 0;
    while (!bytes.empty()) {
        Parser parser;
        parser.header_limit(static_cast<std::uint32_t>(kHeaderLimit));
        parser.body_limit(std::numeric_limits<std::uint64_t>::max());
        boost::beast::error_code ec;
        auto used = put_until(parser, bytes, true, ec);
        bytes.remove_prefix(used);
        if (ec) return refused + 1;

        server::http::Request request;
        const auto& header = parser.get();
        request.method = std::string(header.method_string());
        request.target = std::string(header.target());
        for (const auto& field : header)
            request.headers.add(std::string(field.name_string()), std::string(field.value()));
        auto target = server::http::normalize_target(request.target);
        if (!target) {
            // The session answers with the error's message: it must make a valid document.
            (void)server::http::problem(400, target.error().message);
            return refused + 1;
        }
        request.path = std::move(target->path);
        request.segments = std::move(target->segments);
        request.query = std::move(target->query);
        if (request.path.empty() || request.path.front() != '/') std::abort();

        if (const auto length = parser.content_length(); length && *length > kBodyLimit)
            return refused + 1;
        parser.body_limit(kBodyLimit);
        used = put_until(parser, bytes, false, ec);
        bytes.remove_prefix(used);
        if (ec) return refused + 1;
        auto message = parser.release();
        request.body = std::move(message.body());
        if (request.body.size() > kBodyLimit) std::abort();
        handle(request);
        if (!message.keep_alive()) break;
    }
    return refused;
}

}  // namespace helpline::fuzz
