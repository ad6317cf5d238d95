#pragma once
// What the server makes of an uploaded file before storing it (docs/protocol.md
// "Conversations"): the name it will be shown and downloaded under, the SHA-256 of its
// bytes, the type found in them (libmagic, never the client's word), and whether it may
// be shown inline in the console — only a raster image whose bytes and name agree.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "shared/result.h"

namespace helpline::server::api {

/// The name from X-Helpline-File-Name (UTF-8, percent-encoded): decoded, reduced to its
/// last path component ("../../x" and "C:\\Users\\a\\x.png" name "x" and "x.png"), at most
/// 255 characters. Refused: no name, bad escapes, bytes that are not UTF-8, control or
/// direction-changing characters, "." and "..".
Result<std::string> clean_file_name(std::string_view header_value);

struct FileFacts {
    std::int64_t size = 0;
    std::string sha256;  ///< lower-case hex
    std::string type;    ///< e.g. "image/png", "application/pdf"; "application/octet-stream" when unknown
    bool image = false;  ///< PNG, JPEG, GIF or WebP bytes, and a name ending in one of its extensions
};

/// Reads the file once (in pieces): its size, SHA-256 and type. kIo-like error if unreadable.
Result<FileFacts> inspect_file(const std::string& path, std::string_view name);

/// The type libmagic finds in the first bytes of a file ("application/octet-stream" when
/// it finds none). Its database is loaded once, at the first call or load_file_types().
std::string file_type(std::string_view head);
/// Loads libmagic's database now (at the server's start) rather than at the first upload.
void load_file_types();

/// Whether bytes of `type` named `name` are served inline (FileFacts::image).
bool shown_inline(std::string_view type, std::string_view name);

/// `attachment; filename="…"; filename*=UTF-8''…` for `name` (quoted ASCII fallback with
/// anything else replaced by '_', and the exact name percent-encoded per RFC 8187).
std::string content_disposition(std::string_view disposition, std::string_view name);

}  // namespace helpline::server::api
