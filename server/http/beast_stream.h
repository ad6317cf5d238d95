#pragma once
// The two kinds of connection stream the sessions are written against, and small helpers
// that differ between them. Internal: included only by server/http sources.

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <string>
#include <type_traits>

namespace helpline::server::http {

namespace beast = boost::beast;
namespace net = boost::asio;
using tcp = net::ip::tcp;

using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

template <class Stream>
inline constexpr bool kIsTls = std::is_same_v<Stream, TlsStream>;

/// The TCP layer, where the timeouts live.
template <class Stream>
beast::tcp_stream& tcp_layer(Stream& stream) {
    return beast::get_lowest_layer(stream);
}

/// Closes the socket at once; pending operations complete with operation_aborted.
template <class Stream>
void close_now(Stream& stream) {
    tcp_layer(stream).close();
}

/// The peer's IP address, empty if the socket is no longer connected.
inline std::string remote_address(const tcp::socket& socket) {
    beast::error_code ec;
    const auto endpoint = socket.remote_endpoint(ec);
    if (ec) return {};
    auto address = endpoint.address();
    // A dual-stack socket reports IPv4 peers as ::ffff:a.b.c.d; logs and rate limits
    // should see a.b.c.d.
    if (address.is_v6() && address.to_v6().is_v4_mapped())
        address = net::ip::make_address_v4(net::ip::v4_mapped, address.to_v6());
    return address.to_string();
}

}  // namespace helpline::server::http
