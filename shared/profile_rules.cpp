#include "shared/profile_rules.h"

#include <fmt/format.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <algorithm>
#include <memory>
#include <array>
#include <charconv>
#include <optional>

#include "shared/bytes.h"
#include "shared/email.h"
#include "shared/text_distance.h"

namespace helpline::profile_rules {
namespace {

constexpr std::size_t kMaxQuotedLength = 60;
constexpr std::size_t kPinDigestSize = 32;  // SHA-256
constexpr std::string_view kPinPrefix = "sha256//";
constexpr std::array<std::string_view, 3> kPlaceholders = {"port", "password_file", "display"};

bool is_lower(char c) {
    return c >= 'a' && c <= 'z';
}
bool is_upper(char c) {
    return c >= 'A' && c <= 'Z';
}
bool is_digit(char c) {
    return c >= '0' && c <= '9';
}
bool is_alnum(char c) {
    return is_lower(c) || is_upper(c) || is_digit(c);
}
bool is_hex(char c) {
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

char to_lower(char c) {
    return is_upper(c) ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string lowercase(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), to_lower);
    return out;
}

bool is_id(std::string_view id, std::size_t min, std::size_t max) {
    return id.size() >= min && id.size() <= max && std::all_of(id.begin(), id.end(), [](char c) {
               return is_lower(c) || is_digit(c) || c == '-';
           });
}

/// A decimal number of at most `max_digits` digits, without sign or leading '+'.
std::optional<unsigned> parse_decimal(std::string_view s, std::size_t max_digits) {
    if (s.empty() || s.size() > max_digits || !std::all_of(s.begin(), s.end(), is_digit))
        return std::nullopt;
    unsigned value = 0;
    std::from_chars(s.data(), s.data() + s.size(), value);
    return value;
}

bool is_ipv4(std::string_view host, unsigned* first_octet) {
    unsigned octets = 0;
    while (true) {
        const auto dot = host.find('.');
        const auto value = parse_decimal(host.substr(0, dot), 3);
        if (!value || *value > 255) return false;
        if (octets++ == 0 && first_octet != nullptr) *first_octet = *value;
        if (dot == std::string_view::npos) break;
        host.remove_prefix(dot + 1);
    }
    return octets == 4;
}

bool is_valid_host(std::string_view host) {
    if (host.starts_with('[')) {
        // An IPv6 literal; zone ids ("%eth0") make no sense in a profile shipped to customers.
        const auto inner = host.substr(1, host.size() - 2);
        return host.size() > 2 && host.ends_with(']') &&
               std::all_of(inner.begin(), inner.end(),
                           [](char c) { return is_hex(c) || c == ':' || c == '.'; });
    }
    if (host.size() > 253) return false;
    while (true) {
        const auto dot = host.find('.');
        const auto label = host.substr(0, dot);
        if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-' ||
            !std::all_of(label.begin(), label.end(),
                         [](char c) { return is_alnum(c) || c == '-'; }))
            return false;
        if (dot == std::string_view::npos) return true;
        host.remove_prefix(dot + 1);
    }
}

bool is_loopback(std::string_view host) {
    unsigned first_octet = 0;
    return lowercase(host) == "localhost" || host == "[::1]" ||
           (is_ipv4(host, &first_octet) && first_octet == 127);
}

std::string unknown_placeholder(std::string_view name) {
    const std::vector<std::string_view> known(kPlaceholders.begin(), kPlaceholders.end());
    const std::string suggestion = closest_match(name, known);
    if (!suggestion.empty())
        return fmt::format(
            "unknown placeholder \"{{{name}}}\"; did you mean \"{{{suggestion}}}\"? "
            "Only {{port}}, {{password_file}} and {{display}} are filled in, with "
            "values the client generates",
            fmt::arg("name", name), fmt::arg("suggestion", suggestion));
    return fmt::format(
        "unknown placeholder \"{{{name}}}\"; only {{port}}, {{password_file}} and "
        "{{display}} are filled in, with values the client generates",
        fmt::arg("name", name));
}

std::string unmatched_brace(char brace) {
    return fmt::format(
        "unmatched \"{brace}\": placeholders are written {{port}}, "
        "{{password_file}} or {{display}}, and braces cannot be used otherwise",
        fmt::arg("brace", brace));
}

}  // namespace

std::string child_path(std::string_view parent, std::string_view key) {
    const bool plain = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
        return is_alnum(c) || c == '_' || c == '-';
    });
    if (!plain) return fmt::format("{}[{}]", parent, quote(key));
    if (parent.empty()) return std::string(key);
    return fmt::format("{}.{}", parent, key);
}

std::string item_path(std::string_view parent, std::size_t index) {
    return fmt::format("{}[{}]", parent, index);
}

std::string quote(std::string_view value) {
    std::string out = "\"";
    std::size_t characters = 0;
    for (std::size_t i = 0; i < value.size(); ++i) {
        const char c = value[i];
        const bool starts_character = (static_cast<unsigned char>(c) & 0xC0u) != 0x80u;
        if (starts_character && ++characters > kMaxQuotedLength) {
            out += "...";
            break;
        }
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (static_cast<unsigned char>(c) < 0x20u) {
            out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
        } else {
            out += c;
        }
    }
    return out + "\"";
}

std::string join(const std::vector<std::string_view>& items) {
    std::string out;
    for (const auto item : items) {
        if (!out.empty()) out += ", ";
        out += item;
    }
    return out;
}

std::size_t count_characters(std::string_view utf8) {
    return static_cast<std::size_t>(std::count_if(utf8.begin(), utf8.end(), [](char c) {
        return (static_cast<unsigned char>(c) & 0xC0u) != 0x80u;
    }));
}

std::string unknown_field(std::string_view key, const std::vector<std::string_view>& allowed) {
    const std::string suggestion = closest_match(key, allowed);
    if (!suggestion.empty()) return fmt::format("unknown field; did you mean \"{}\"?", suggestion);
    return fmt::format("unknown field; allowed here: {}", join(allowed));
}

std::string not_one_of(std::string_view value, std::string_view what,
                       const std::vector<std::string_view>& allowed) {
    if (allowed.empty())
        return fmt::format("{value} is not one of the {what}: none are listed",
                           fmt::arg("value", quote(value)), fmt::arg("what", what));
    std::string message =
        fmt::format("{value} is not one of the {what}: {allowed}", fmt::arg("value", quote(value)),
                    fmt::arg("what", what), fmt::arg("allowed", join(allowed)));
    if (const std::string suggestion = closest_match(value, allowed); !suggestion.empty())
        message += fmt::format("; did you mean \"{}\"?", suggestion);
    return message;
}

std::string text_too_long(std::string_view what, std::size_t length, std::size_t max) {
    return fmt::format("the {what} is {length} characters long; at most {max} are allowed",
                       fmt::arg("what", what), fmt::arg("length", length), fmt::arg("max", max));
}

std::vector<std::string> check_profile_id(std::string_view id) {
    if (!is_id(id, 3, 40))
        return {
            fmt::format("{} is not a valid id: use 3 to 40 lowercase letters, digits and '-', "
                        "e.g. \"acme-support\" (the id names the branded program)",
                        quote(id))};
    if (id.front() == '-' || id.back() == '-')
        return {fmt::format("{} must not start or end with '-' (the id names the branded program)",
                            quote(id))};
    return {};
}

std::vector<std::string> check_item_id(std::string_view id, std::string_view what) {
    if (is_id(id, 2, 40)) return {};
    const std::string_view example =
        what == "group" ? "the group's id on the server, e.g. \"first-line\"" : "e.g. \"x11vnc\"";
    return {fmt::format(
        "{id} is not a valid {what} id: use 2 to 40 lowercase letters, digits and "
        "'-', {example}",
        fmt::arg("id", quote(id)), fmt::arg("what", what), fmt::arg("example", example))};
}

bool is_language_tag(std::string_view tag) {
    const auto separator = tag.find_first_of("_-");
    const auto language = tag.substr(0, separator);
    if (language.size() < 2 || language.size() > 3 ||
        !std::all_of(language.begin(), language.end(), is_lower))
        return false;
    if (separator == std::string_view::npos) return true;
    const auto region = tag.substr(separator + 1);
    return region.size() == 2 && std::all_of(region.begin(), region.end(), is_upper);
}

std::string bad_language_tag(std::string_view tag) {
    return fmt::format(
        "{} is not a language tag: use a lowercase code such as \"en\" or \"pt\", "
        "optionally with a region such as \"pt_BR\" or \"pt-BR\"",
        quote(tag));
}

std::vector<std::string> check_server_url(std::string_view url) {
    constexpr std::string_view kExample = "e.g. \"https://support.example.com\"";
    if (std::any_of(url.begin(), url.end(),
                    [](char c) { return static_cast<unsigned char>(c) <= 0x20u || c == '\x7f'; }))
        return {"the URL must not contain spaces or control characters"};
    const auto scheme_end = url.find("://");
    if (scheme_end == std::string_view::npos || scheme_end == 0)
        return {fmt::format("{} is not an absolute URL: write the scheme and host, {}", quote(url),
                            kExample)};

    const std::string scheme = lowercase(url.substr(0, scheme_end));
    const auto rest = url.substr(scheme_end + 3);
    const auto authority_end = rest.find_first_of("/?#");
    auto authority = rest.substr(0, authority_end);
    const auto tail =
        authority_end == std::string_view::npos ? std::string_view{} : rest.substr(authority_end);
    const auto at = authority.rfind('@');
    const bool has_userinfo = at != std::string_view::npos;
    if (has_userinfo) authority.remove_prefix(at + 1);

    // host[:port], where an IPv6 host is bracketed and holds colons of its own.
    const auto bracket_end = authority.starts_with('[') ? authority.find(']') : 0;
    const auto colon = authority.find(':', bracket_end == std::string_view::npos ? 0 : bracket_end);
    const auto host = authority.substr(0, colon);
    const bool has_port = colon != std::string_view::npos;
    const auto port = has_port ? authority.substr(colon + 1) : std::string_view{};

    std::vector<std::string> problems;
    if (scheme == "http") {
        if (!is_loopback(host))
            problems.push_back(fmt::format(
                "plain http is allowed only for a loopback host (localhost, 127.0.0.1, [::1]) "
                "during development: the client always uses TLS to reach a server, so write "
                "{}",
                quote(fmt::format("https://{}", rest))));
    } else if (scheme != "https") {
        problems.push_back(
            fmt::format("scheme {} is not supported: use https", quote(url.substr(0, scheme_end))));
    }
    if (has_userinfo)
        problems.push_back(
            "the URL must not contain a user name or password (\"user@\"): the "
            "client signs in with its own device token");
    if (host.empty())
        problems.push_back(fmt::format("the URL has no host: write it with one, {}", kExample));
    else if (!is_valid_host(host))
        problems.push_back(
            fmt::format("host {} is not a valid host name or IP address", quote(host)));
    if (has_port) {
        const auto number = parse_decimal(port, 5);
        if (!number || *number < 1 || *number > 65535)
            problems.push_back(fmt::format(
                "port {} is not valid: use a number from 1 to 65535, or leave it out for 443",
                quote(port)));
    }
    if (tail.find_first_of("?#") != std::string_view::npos)
        problems.push_back(
            "the URL must not contain a query (\"?...\") or a fragment (\"#...\"): "
            "the client adds its own paths and parameters");
    return problems;
}

std::vector<std::string> check_pin(std::string_view pin) {
    Bytes digest;
    if (pin.starts_with(kPinPrefix) && base64_decode(pin.substr(kPinPrefix.size()), digest) &&
        digest.size() == kPinDigestSize)
        return {};
    return {
        fmt::format("{} is not a public-key pin: write \"sha256//\" followed by the base64 "
                    "SHA-256 digest of the server's public key (44 characters)",
                    quote(pin))};
}

std::vector<std::string> check_ca(std::string_view pem) {
    constexpr std::string_view kHint =
        "paste the PEM text of the certificate(s) to trust, from \"-----BEGIN CERTIFICATE-----\" "
        "to \"-----END CERTIFICATE-----\", with \\n for each line break";
    if (pem.size() > kMaxCaSize)
        return {fmt::format("the certificates take {} bytes, more than the {} allowed: list only "
                            "the CA that signs the server's certificate",
                            pem.size(), kMaxCaSize)};
    std::vector<std::string> problems;
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(
        BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
    int certificates = 0;
    while (true) {
        char* name = nullptr;
        char* header = nullptr;
        unsigned char* data = nullptr;
        long length = 0;
        ERR_clear_error();
        if (PEM_read_bio(bio.get(), &name, &header, &data, &length) != 1) break;
        const std::string block = name;
        const unsigned char* cursor = data;
        X509* cert = block == "CERTIFICATE" ? d2i_X509(nullptr, &cursor, length) : nullptr;
        if (block != "CERTIFICATE")
            problems.push_back(fmt::format(
                "block {} is a \"{}\", not a certificate: list certificates only (never a "
                "private key)",
                certificates + static_cast<int>(problems.size()) + 1, block));
        else if (cert == nullptr)
            problems.push_back(fmt::format("certificate {} cannot be read: {}",
                                           certificates + static_cast<int>(problems.size()) + 1,
                                           kHint));
        else
            ++certificates;
        X509_free(cert);
        OPENSSL_free(name);
        OPENSSL_free(header);
        OPENSSL_free(data);
    }
    ERR_clear_error();
    if (certificates == 0 && problems.empty())
        problems.push_back(fmt::format("there is no PEM certificate here: {}", kHint));
    return problems;
}

std::vector<std::string> check_logo(std::string_view file_name) {
    std::vector<std::string> problems;
    const bool plain = !file_name.empty() && file_name.front() != '.' &&
                       std::all_of(file_name.begin(), file_name.end(), [](char c) {
                           return is_alnum(c) || c == '.' || c == '_' || c == '-';
                       });
    if (!plain)
        problems.push_back(fmt::format(
            "{} is not a plain file name: name a file in the profile's folder with letters, "
            "digits, '.', '_' and '-', not starting with '.'",
            quote(file_name)));
    const std::string lower = lowercase(file_name);
    if (!lower.ends_with(".svg") && !lower.ends_with(".png"))
        problems.push_back(fmt::format(
            "{} is not an SVG or PNG file: the name must end in .svg or .png", quote(file_name)));
    return problems;
}

std::vector<std::string> check_accent(std::string_view colour) {
    if (colour.size() == 7 && colour.front() == '#' &&
        std::all_of(colour.begin() + 1, colour.end(), is_hex))
        return {};
    return {fmt::format("{} is not a colour: write #RRGGBB in hexadecimal, e.g. \"#0A6ED1\"",
                        quote(colour))};
}

std::vector<std::string> check_support_email(std::string_view email) {
    if (is_valid_email(email)) return {};
    return {fmt::format("{} is not an email address customers can write to, e.g. "
                        "\"help@acme.example\"",
                        quote(email))};
}

std::vector<std::string> check_support_url(std::string_view url) {
    const std::string lower = lowercase(url.substr(0, std::min<std::size_t>(url.size(), 8)));
    const bool https = lower.starts_with("https://") && url.size() > 8;
    const bool clean = std::none_of(url.begin(), url.end(), [](char c) {
        return static_cast<unsigned char>(c) <= 0x20u || c == '\x7f' || c == '"' || c == '<' || c == '>';
    });
    if (https && clean && url.size() <= 2000) return {};
    return {fmt::format("{} is not a web page customers can open: write an https:// address without "
                        "spaces, e.g. \"https://acme.example/help\"",
                        quote(url))};
}

std::vector<std::string> check_argv_entry(std::string_view arg, bool is_program) {
    std::vector<std::string> problems;
    if (arg.empty()) return {"the argument is empty; remove it or give it a value"};
    if (const auto length = count_characters(arg); length > kMaxArgvEntryLength)
        problems.push_back(text_too_long("argument", length, kMaxArgvEntryLength));
    if (arg.find('\0') != std::string_view::npos)
        problems.push_back(
            "the argument contains a NUL character, which cannot be passed to a program");
    if (is_program) {
        // The program is never filled in: what runs is fixed by the signed profile alone.
        if (arg.find_first_of("{}") != std::string_view::npos)
            problems.push_back(
                "the program must be named as it is, without placeholders or "
                "braces, e.g. \"x11vnc\"");
        return problems;
    }
    for (std::size_t i = 0; i < arg.size(); ++i) {
        if (arg[i] == '}') {
            problems.push_back(unmatched_brace('}'));
            continue;
        }
        if (arg[i] != '{') continue;
        const auto close = arg.find_first_of("{}", i + 1);
        if (close == std::string_view::npos || arg[close] == '{') {
            problems.push_back(unmatched_brace('{'));
            continue;
        }
        const auto name = arg.substr(i + 1, close - i - 1);
        if (std::find(kPlaceholders.begin(), kPlaceholders.end(), name) == kPlaceholders.end())
            problems.push_back(unknown_placeholder(name));
        i = close;
    }
    return problems;
}

}  // namespace helpline::profile_rules
