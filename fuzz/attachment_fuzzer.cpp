// What the server makes of an uploaded attachment (server/api/attachment_file.*): the name
// from the X-Helpline-File-Name header, the type libmagic finds in the bytes, whether it is
// shown inline. The input's first line is the header's value, the rest the file's first bytes.
// A name that comes out must be one harmless file name, whatever came in.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "server/api/attachment_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace helpline::server::api;
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const auto newline = input.find('\n');
    const auto header = input.substr(0, newline);
    const auto head = newline == std::string_view::npos ? std::string_view{} : input.substr(newline + 1);

    const auto name = clean_file_name(header);
    if (name) {
        if (name->empty() || *name == "." || *name == ".." || name->size() > 255 * 4 ||
            name->find_first_of("/\\") != std::string::npos)
            std::abort();
        for (const char c : *name)
            if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) std::abort();
    }
    const auto type = file_type(head);
    if (type.empty()) std::abort();
    (void)shown_inline(type, name ? *name : std::string_view(header));
    return 0;
}
