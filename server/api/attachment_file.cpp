#include "server/api/attachment_file.h"

#include <magic.h>
#include <openssl/evp.h>

#include <array>
#include <cctype>
#include <cstdio>
#include <memory>
#include <mutex>

#include <fmt/format.h>

#include "shared/text.h"

namespace helpline::server::api {

namespace {

constexpr std::size_t kMaxNameBytes = 255 * 4;
constexpr std::size_t kMaxNameCharacters = 255;
/// libmagic looks at the start of a file; what it needs is in its first 64 KiB.
constexpr std::size_t kSniffBytes = 64 * 1024;

Error name_error(std::string message) {
    return make_error("validation", std::move(message), "X-Helpline-File-Name");
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/// Lower-case ASCII of the name's extension ("Shot.PNG" -> "png"), empty if none.
std::string extension(std::string_view name) {
    const auto dot = name.rfind('.');
    if (dot == std::string_view::npos || dot + 1 == name.size()) return {};
    std::string ext(name.substr(dot + 1));
    for (char& c : ext) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    return ext;
}

/// libmagic, loaded once: its database (8 MiB, /usr/lib/file/magic.mgc) costs ~1 ms and
/// +5.5 MiB of touched pages per load (docs/benchmarks.md "Attachments (issue 17)"). A
/// cookie is not thread-safe, so uses take turns; a sniff of 64 KiB is quick.
class TypeSniffer {
  public:
    static TypeSniffer& instance() {
        static TypeSniffer sniffer;
        return sniffer;
    }
    std::string type_of(std::string_view head) {
        std::lock_guard lock(mutex_);
        if (cookie_ == nullptr) return {};
        const char* found = magic_buffer(cookie_, head.data(), head.size());
        return found != nullptr ? found : "";
    }
    TypeSniffer(const TypeSniffer&) = delete;
    TypeSniffer& operator=(const TypeSniffer&) = delete;

  private:
    // No decompression (MAGIC_COMPRESS is off): a zip bomb is just bytes here.
    TypeSniffer() : cookie_(magic_open(MAGIC_MIME_TYPE | MAGIC_ERROR)) {
        if (cookie_ != nullptr && magic_load(cookie_, nullptr) != 0) {
            magic_close(cookie_);
            cookie_ = nullptr;
        }
    }
    ~TypeSniffer() {
        if (cookie_ != nullptr) magic_close(cookie_);
    }
    std::mutex mutex_;
    magic_t cookie_;
};

}  // namespace

void load_file_types() {
    // Sniffing bytes of no known type runs libmagic through its whole database, so its
    // pages are in memory from the start rather than added during a customer's upload.
    std::string sample(4096, '\0');
    std::uint32_t x = 2463534242U;
    for (char& c : sample) {
        x ^= x << 13U;
        x ^= x >> 17U;
        x ^= x << 5U;
        c = static_cast<char>(x & 0xFFU);
    }
    (void)TypeSniffer::instance().type_of(sample);
}

std::string file_type(std::string_view head) {
    std::string type = TypeSniffer::instance().type_of(head);
    if (type.empty() || type == "application/x-empty") return "application/octet-stream";
    return type;
}

Result<std::string> clean_file_name(std::string_view value) {
    value = trim_blanks(value);
    if (value.empty()) return name_error("Name the file in the X-Helpline-File-Name header (UTF-8, percent-encoded).");
    std::string decoded;
    for (std::size_t i = 0; i < value.size(); ++i) {
        if (value[i] != '%') {
            decoded += value[i];
            continue;
        }
        const int hi = i + 2 < value.size() ? hex_value(value[i + 1]) : -1;
        const int lo = i + 2 < value.size() ? hex_value(value[i + 2]) : -1;
        if (hi < 0 || lo < 0)
            return name_error("X-Helpline-File-Name has a '%' that is not followed by two hexadecimal digits.");
        decoded += static_cast<char>(hi * 16 + lo);
        i += 2;
    }
    if (decoded.size() > kMaxNameBytes) return name_error("The file name is longer than 255 characters.");
    // Only the last path component: a name never chooses where anything goes.
    if (const auto slash = decoded.find_last_of("/\\"); slash != std::string::npos) decoded.erase(0, slash + 1);
    std::size_t characters = 0;
    for (std::size_t i = 0; i < decoded.size();) {
        const auto c = static_cast<unsigned char>(decoded[i]);
        if (c < 0x20 || c == 0x7F)
            return name_error("The file name holds a control character; rename the file and send it again.");
        const std::size_t n = utf8_sequence(std::string_view(decoded).substr(i));
        if (n == 0) return name_error("The file name is not UTF-8 text; send it UTF-8, percent-encoded.");
        if (invisible_at(std::string_view(decoded).substr(i)))
            return name_error(
                "The file name holds an invisible or direction-changing character, which could disguise what it "
                "is; rename the file and send it again.");
        i += n;
        ++characters;
    }
    if (characters > kMaxNameCharacters) return name_error("The file name is longer than 255 characters.");
    if (decoded.empty() || decoded == "." || decoded == "..")
        return name_error("X-Helpline-File-Name has no file name in it (only a folder).");
    return decoded;
}

bool shown_inline(std::string_view type, std::string_view name) {
    const std::string ext = extension(name);
    if (type == "image/png") return ext == "png";
    if (type == "image/jpeg") return ext == "jpg" || ext == "jpeg" || ext == "jpe" || ext == "jfif";
    if (type == "image/gif") return ext == "gif";
    if (type == "image/webp") return ext == "webp";
    return false;
}

Result<FileFacts> inspect_file(const std::string& path, std::string_view name) {
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> in(std::fopen(path.c_str(), "rb"), &std::fclose);
    if (!in) return make_error("io", fmt::format("The uploaded file {} cannot be read.", path), path);
    std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> md(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    if (!md || EVP_DigestInit_ex(md.get(), EVP_sha256(), nullptr) != 1)
        return make_error("io", "SHA-256 is not available (OpenSSL).", path);
    FileFacts facts;
    std::string head;
    std::array<char, 64 * 1024> buffer{};
    while (true) {
        const std::size_t n = std::fread(buffer.data(), 1, buffer.size(), in.get());
        if (n == 0) break;
        if (head.size() < kSniffBytes) head.append(buffer.data(), std::min(n, kSniffBytes - head.size()));
        EVP_DigestUpdate(md.get(), buffer.data(), n);
        facts.size += static_cast<std::int64_t>(n);
    }
    if (std::ferror(in.get()) != 0) return make_error("io", fmt::format("Reading {} failed.", path), path);
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int length = 0;
    EVP_DigestFinal_ex(md.get(), digest.data(), &length);
    static constexpr char kHex[] = "0123456789abcdef";
    for (unsigned int i = 0; i < length; ++i) {
        facts.sha256 += kHex[digest[i] >> 4];
        facts.sha256 += kHex[digest[i] & 0xF];
    }
    facts.type = file_type(head);
    facts.image = shown_inline(facts.type, name);
    return facts;
}

std::string content_disposition(std::string_view disposition, std::string_view name) {
    std::string ascii;
    std::string encoded;
    static constexpr char kHex[] = "0123456789ABCDEF";
    for (const char ch : name) {
        const auto c = static_cast<unsigned char>(ch);
        const bool plain = c > 0x20 && c < 0x7F && c != '"' && c != '\\' && c != '%' && c != ';' && c != ',';
        ascii += plain || c == ' ' ? static_cast<char>(c) : '_';
        // RFC 8187 attr-char: ALPHA / DIGIT / "!#$&+-.^_`|~"
        const bool attr = std::isalnum(c) != 0 || std::string_view("!#$&+-.^_`|~").find(static_cast<char>(c)) !=
                                                     std::string_view::npos;
        if (attr && c < 0x80) {
            encoded += static_cast<char>(c);
        } else {
            encoded += '%';
            encoded += kHex[c >> 4];
            encoded += kHex[c & 0xF];
        }
    }
    return fmt::format("{}; filename=\"{}\"; filename*=UTF-8''{}", disposition, ascii, encoded);
}

}  // namespace helpline::server::api
