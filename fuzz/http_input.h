#pragma once
// Requests as the server's HTTP session makes them from the bytes of a connection
// (server/http/http_session.cpp), without a socket: Beast's parser with the server's
// header limit, the target normalised before anything else looks at it, the body limit
// applied from Content-Length and to chunked bodies. For the fuzz targets only.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>

#include "server/http/message.h"

namespace helpline::fuzz {

/// The server's defaults (ServerOptions::header_limit, api::body_limit for every route
/// that reads its body into memory; uploads are spooled to a file and not fuzzed here).
inline constexpr std::size_t kHeaderLimit = 8 * 1024;
inline constexpr std::size_t kBodyLimit = 64 * 1024;

/// Parses the requests in `bytes` (pipelined, as on a kept-alive connection) and calls
/// `handle` with each one the server would hand to its router. Returns how many requests
/// the server refused or gave up on before the handler (400, 413, 431, a cut connection).
int for_each_request(std::string_view bytes,
                     const std::function<void(server::http::Request&)>& handle);

}  // namespace helpline::fuzz
