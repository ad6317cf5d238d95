// Every validation rule of the branding profile (docs/profile.md), as a table: a change to a
// valid profile and the exact problems it must produce.

#include <algorithm>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "shared/profile.h"
#include "tests/support/fixtures.h"

namespace helpline {
namespace {

using Json = nlohmann::ordered_json;

constexpr std::string_view kValidProfile = R"({
  "schema": 1,
  "id": "acme-support",
  "revision": 7,
  "name": {"en": "Acme Support", "pt": "Suporte Acme", "pt_BR": "Suporte Acme Brasil"},
  "server": {"url": "https://support.acme.example:8443",
             "pins": ["sha256//SQtEaKwQ3BC1FVXe2W7JXPsbt3OE1ZqaBrp8LDv5qeQ=",
                      "sha256//On5bKgJ+bQLm6yPXlye0zb1BcV2A2ZgVrtVdD8GY8Js="]},
  "appearance": {"logo": "logo.svg", "accent": "#0A6ED1",
                 "welcome": {"en": "Welcome", "pt": "Bem-vindo", "it": "Benvenuto"}},
  "assistance": {"enabled": true,
                 "groups": [{"id": "helpdesk", "name": {"en": "Help desk", "it": "Assistenza"}},
                            {"id": "billing", "name": {"en": "Billing"}}],
                 "default_group": "billing",
                 "default_priority": "high",
                 "customer_sets_priority": true,
                 "subject": "required",
                 "max_description": 2000},
  "remote": {"enabled": true, "request_timeout_s": 90,
             "backends": [{"id": "x11vnc", "when": "x11",
                           "argv": ["x11vnc", "-display", "{display}", "-localhost",
                                    "-rfbport", "{port}", "-passwdfile", "rm:{password_file}",
                                    "-once", "-quiet"]}]},
  "support": {"email": "help@acme.example", "url": "https://acme.example/help"},
  "languages": ["en", "pt", "it"]
})";

/// One change to the valid profile: the value (JSON text) at a JSON pointer, or its removal.
/// The pointer "" replaces the whole document; "/a/-" appends to the array a.
struct Edit {
    std::string pointer;
    std::optional<std::string> value;
};

Edit set(std::string pointer, std::string value) {
    return {std::move(pointer), std::move(value)};
}
Edit drop(std::string pointer) {
    return {std::move(pointer), std::nullopt};
}

struct Case {
    std::string name;
    std::vector<Edit> edits;
    std::vector<std::string> problems;  ///< "path: message", in document order
    /// Which of two keys counts as "first" depends on their order, which nlohmann::json
    /// (sorted keys) does not keep.
    bool depends_on_key_order = false;
};

std::string edited_profile(const std::vector<Edit>& edits) {
    Json doc = Json::parse(kValidProfile);
    for (const auto& edit : edits) {
        const Json::json_pointer pointer(edit.pointer);
        if (edit.value) {
            doc[pointer] = Json::parse(*edit.value);
        } else {
            auto& parent = doc.at(pointer.parent_pointer());
            if (parent.is_array())
                parent.erase(std::stoul(pointer.back()));
            else
                parent.erase(pointer.back());
        }
    }
    return doc.dump(2);
}

std::vector<std::string> texts(const std::vector<ProfileProblem>& problems) {
    std::vector<std::string> out;
    out.reserve(problems.size());
    for (const auto& problem : problems) out.push_back(problem.to_string());
    return out;
}

std::vector<std::string> check_text(std::string_view text) {
    Profile profile;
    return texts(parse_profile_text(text, profile));
}

std::string json_string(const std::string& s) {
    return Json(s).dump();
}

std::string repeat(std::string_view piece, std::size_t times) {
    std::string out;
    for (std::size_t i = 0; i < times; ++i) out += piece;
    return out;
}

std::string groups_json(std::size_t count) {
    Json groups = Json::array();
    for (std::size_t i = 0; i < count; ++i)
        groups.push_back(
            Json{{"id", "group-" + std::to_string(i)}, {"name", Json{{"en", "Group"}}}});
    return groups.dump();
}

std::string argv_json(std::size_t count) {
    Json argv = Json::array({"x11vnc"});
    while (argv.size() < count) argv.push_back("-quiet");
    return argv.dump();
}

const std::string kPlaceholderNote = "are filled in, with values the client generates";
const std::string kIdRule =
    "is not a valid id: use 3 to 40 lowercase letters, digits and '-', e.g. \"acme-support\" "
    "(the id names the branded program)";
const std::string kTagRule =
    "is not a language tag: use a lowercase code such as \"en\" or \"pt\", optionally with a "
    "region such as \"pt_BR\" or \"pt-BR\"";
const std::string kPinRule =
    "is not a public-key pin: write \"sha256//\" followed by the base64 SHA-256 digest of the "
    "server's public key (44 characters)";
const std::string kLogoNameRule =
    "is not a plain file name: name a file in the profile's folder with letters, digits, '.', "
    "'_' and '-', not starting with '.'";
const std::string kHttpRule =
    "plain http is allowed only for a loopback host (localhost, 127.0.0.1, [::1]) during "
    "development: the client always uses TLS to reach a server, so write ";
const std::string kQueryRule =
    "server.url: the URL must not contain a query (\"?...\") or a fragment (\"#...\"): the "
    "client adds its own paths and parameters";
const std::string kBraceRule =
    "placeholders are written {port}, {password_file} or {display}, and braces cannot be used "
    "otherwise";
const std::string kValidPin = "sha256//SQtEaKwQ3BC1FVXe2W7JXPsbt3OE1ZqaBrp8LDv5qeQ=";
// tests/fixtures/tls/unrelated-ca.pem
const std::string kCaPem = R"(-----BEGIN CERTIFICATE-----
MIIBjzCCATWgAwIBAgIUPRJNEp/owFeG58rWuHKKy6bMwcswCgYIKoZIzj0EAwIw
HDEaMBgGA1UEAwwRVW5yZWxhdGVkIHRlc3QgQ0EwIBcNMjYxMTI1MTAwMDE4WhgP
MjEyNjExMDExMDAwMThaMBwxGjAYBgNVBAMMEVVucmVsYXRlZCB0ZXN0IENBMFkw
EwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEfId9skxZ6EMOyUEHEm0L/HVoIklOqYJp
KspTOKvE15pLoXv2kicPZb8+nkwZLqy6zGLlGbrjL7RfteQvW8fQiqNTMFEwHQYD
VR0OBBYEFKi8//wZuq572XVVx/T20nWpe3gQMB8GA1UdIwQYMBaAFKi8//wZuq57
2XVVx/T20nWpe3gQMA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDSAAwRQIg
FI+0167ez8xah74qQpEvXPYjFskGeFikPSoLZM4hqL4CIQC9/dwkPOrpExs0vvN9
hEwJDtO1KflgiV4EsSZXshcXgQ==
-----END CERTIFICATE-----
)";
const std::string kCaHint =
    "paste the PEM text of the certificate(s) to trust, from \"-----BEGIN CERTIFICATE-----\" to "
    "\"-----END CERTIFICATE-----\", with \\n for each line break";

// clang-format off
const std::vector<Case> kCases = {
    // The document and its schema.
    {"the profile must be an object", {set("", "[1, 2]")},
     {"expected an object, got an array"}},
    {"schema is required", {drop("/schema")},
     {"schema: required field is missing; add \"schema\": 1"}},
    {"schema must be 1", {set("/schema", "2")},
     {"schema: schema 2 is not supported: this client reads schema 1"}},
    {"a quoted integer gets a hint", {set("/schema", R"("1")")},
     {"schema: expected an integer, got a string; write 1 without quotes"}},
    {"integers reject fractions", {set("/schema", "1.5")},
     {"schema: expected an integer, got 1.5"}},
    {"integers reject booleans", {set("/revision", "true")},
     {"revision: expected an integer, got a boolean"}},
    {"unknown root field close to a known one", {set("/revison", "8")},
     {"revison: unknown field; did you mean \"revision\"?"}},
    {"unknown root field far from any", {set("/colour", R"("red")")},
     {"colour: unknown field; allowed here: schema, id, revision, name, server, appearance, "
      "assistance, remote, support, languages"}},
    {"an odd field name is quoted in the path", {set("/appearance/logo url", R"("x")")},
     {"appearance[\"logo url\"]: unknown field; allowed here: logo, accent, welcome"}},

    // id
    {"id is required", {drop("/id")},
     {"id: required field is missing; add an id such as \"acme-support\" (it names the branded "
      "program)"}},
    {"id must be a string", {set("/id", "42")}, {"id: expected a string, got a number"}},
    {"id must be lowercase", {set("/id", R"("Acme Support")")}, {"id: \"Acme Support\" " + kIdRule}},
    {"id has at least 3 characters", {set("/id", R"("ab")")}, {"id: \"ab\" " + kIdRule}},
    {"id has at most 40 characters", {set("/id", json_string(repeat("a", 41)))},
     {"id: \"" + repeat("a", 41) + "\" " + kIdRule}},
    {"id of 40 characters", {set("/id", json_string(repeat("a", 40)))}, {}},
    {"id must not start with a dash", {set("/id", R"("-acme")")},
     {"id: \"-acme\" must not start or end with '-' (the id names the branded program)"}},
    {"id must not end with a dash", {set("/id", R"("acme-")")},
     {"id: \"acme-\" must not start or end with '-' (the id names the branded program)"}},

    // revision
    {"revision is required", {drop("/revision")},
     {"revision: required field is missing; add \"revision\": 1 and increase it with every "
      "update"}},
    {"revision is at least 1", {set("/revision", "0")}, {"revision: must be 1 or more, got 0"}},
    {"revision fits in 64 bits", {set("/revision", "18446744073709551615")},
     {"revision: must be at most 9223372036854775807, got 18446744073709551615"}},

    // Localized texts (name, welcome, group names).
    {"name is required", {drop("/name")},
     {"name: required field is missing; give the team's name by language, e.g. "
      "{\"en\": \"Acme Support\"}"}},
    {"name is an object of texts", {set("/name", R"("Acme")")},
     {"name: expected an object of texts by language such as {\"en\": \"...\"}, got a string"}},
    {"name has at least one text", {set("/name", "{}")},
     {"name: must have at least one text, e.g. {\"en\": \"...\"}"}},
    {"text keys are language tags", {set("/name/EN", R"("Acme")")}, {"name.EN: \"EN\" " + kTagRule}},
    {"a region is two capital letters", {set("/name/pt_br", R"("Acme")")},
     {"name.pt_br: \"pt_br\" " + kTagRule}},
    {"texts are strings", {set("/name/pt", "5")}, {"name.pt: expected a string, got a number"}},
    {"texts are not empty", {set("/name/pt", R"("")")},
     {"name.pt: the text is empty; write it or remove this language"}},
    {"names have at most 200 characters", {set("/name/en", json_string(repeat("x", 201)))},
     {"name.en: the text is 201 characters long; at most 200 are allowed"}},
    {"lengths count characters, not bytes", {set("/name/en", json_string(repeat("\xC3\xA9", 200)))},
     {}},
    {"a text's language must be listed", {set("/name/de", R"("Acme Hilfe")")},
     {"name.de: language \"de\" is not in languages: en, pt, it; add it to languages or remove "
      "this text"}},
    {"one text per language", {set("/name/pt-BR", R"("Acme")")},
     {"name.pt-BR: \"pt-BR\" is the same language as name.pt_BR; keep one of them"}, true},
    {"welcome is localized", {set("/appearance/welcome", "[]")},
     {"appearance.welcome: expected an object of texts by language such as {\"en\": \"...\"}, "
      "got an array"}},
    {"welcome texts have at most 1000 characters",
     {set("/appearance/welcome/it", json_string(repeat("x", 1001)))},
     {"appearance.welcome.it: the text is 1001 characters long; at most 1000 are allowed"}},
    {"a welcome of 1000 characters", {set("/appearance/welcome/it", json_string(repeat("x", 1000)))},
     {}},
    {"group names are localized", {set("/assistance/groups/1/name/fr", R"("Facturation")")},
     {"assistance.groups[1].name.fr: language \"fr\" is not in languages: en, pt, it; add it to "
      "languages or remove this text"}},

    // server
    {"server is required", {drop("/server")},
     {"server: required field is missing; add {\"url\": \"https://...\"} with the team server's "
      "address"}},
    {"server is an object", {set("/server", R"("https://support.acme.example")")},
     {"server: expected an object, got a string"}},
    {"server.url is required", {drop("/server/url")},
     {"server.url: required field is missing; give the team server's address, e.g. "
      "\"https://support.example.com\""}},
    {"server.url is a string", {set("/server/url", "8443")},
     {"server.url: expected a string, got a number"}},
    {"server.url uses https", {set("/server/url", R"("http://support.acme.example")")},
     {"server.url: " + kHttpRule + "\"https://support.acme.example\""}},
    {"http to localhost is allowed", {set("/server/url", R"("http://localhost:8080")")}, {}},
    {"http to 127.0.0.0/8 is allowed", {set("/server/url", R"("http://127.1.2.3:8080/")")}, {}},
    {"http to [::1] is allowed", {set("/server/url", R"("http://[::1]:8080")")}, {}},
    {"http to a look-alike of loopback is not", {set("/server/url", R"("http://127.0.0.1.example")")},
     {"server.url: " + kHttpRule + "\"https://127.0.0.1.example\""}},
    {"other schemes are refused", {set("/server/url", R"("ftp://support.acme.example")")},
     {"server.url: scheme \"ftp\" is not supported: use https"}},
    {"server.url is absolute", {set("/server/url", R"("support.acme.example")")},
     {"server.url: \"support.acme.example\" is not an absolute URL: write the scheme and host, "
      "e.g. \"https://support.example.com\""}},
    {"server.url has no user name",
     {set("/server/url", R"("https://admin:secret@support.acme.example")")},
     {"server.url: the URL must not contain a user name or password (\"user@\"): the client "
      "signs in with its own device token"}},
    {"server.url has no query", {set("/server/url", R"("https://support.acme.example/?team=1")")},
     {kQueryRule}},
    {"server.url has no fragment", {set("/server/url", R"("https://support.acme.example#top")")},
     {kQueryRule}},
    {"server.url may have a path", {set("/server/url", R"("https://acme.example/helpline")")}, {}},
    {"server.url has a host", {set("/server/url", R"("https://:8443")")},
     {"server.url: the URL has no host: write it with one, e.g. \"https://support.example.com\""}},
    {"server.url has a valid host", {set("/server/url", R"("https://support_acme.example")")},
     {"server.url: host \"support_acme.example\" is not a valid host name or IP address"}},
    {"server.url has no spaces", {set("/server/url", R"("https://support acme.example")")},
     {"server.url: the URL must not contain spaces or control characters"}},
    {"the port is at least 1", {set("/server/url", R"("https://support.acme.example:0")")},
     {"server.url: port \"0\" is not valid: use a number from 1 to 65535, or leave it out for "
      "443"}},
    {"the port is at most 65535", {set("/server/url", R"("https://support.acme.example:65536")")},
     {"server.url: port \"65536\" is not valid: use a number from 1 to 65535, or leave it out "
      "for 443"}},
    {"every problem of a URL is named",
     {set("/server/url", R"("http://user@support.acme.example:x/?q")")},
     {"server.url: " + kHttpRule + "\"https://user@support.acme.example:x/?q\"",
      "server.url: the URL must not contain a user name or password (\"user@\"): the client "
      "signs in with its own device token",
      "server.url: port \"x\" is not valid: use a number from 1 to 65535, or leave it out for 443",
      kQueryRule}},
    {"pins are an array", {set("/server/pins", json_string(kValidPin))},
     {"server.pins: expected an array, got a string"}},
    {"pins are strings", {set("/server/pins/1", "5")},
     {"server.pins[1]: expected a string, got a number"}},
    {"a pin starts with sha256//",
     {set("/server/pins/0", R"("SQtEaKwQ3BC1FVXe2W7JXPsbt3OE1ZqaBrp8LDv5qeQ=")")},
     {"server.pins[0]: \"SQtEaKwQ3BC1FVXe2W7JXPsbt3OE1ZqaBrp8LDv5qeQ=\" " + kPinRule}},
    {"a pin is the base64 of 32 bytes",
     {set("/server/pins/0", R"("sha256//w3ZProsE78hXGjgV7x5LWdywRe+oihlU2WtBfo9c8Q==")")},
     {"server.pins[0]: \"sha256//w3ZProsE78hXGjgV7x5LWdywRe+oihlU2WtBfo9c8Q==\" " + kPinRule}},
    {"a pin is valid base64", {set("/server/pins/0", R"("sha256//not-base64!")")},
     {"server.pins[0]: \"sha256//not-base64!\" " + kPinRule}},
    {"pins are not repeated", {set("/server/pins/1", json_string(kValidPin))},
     {"server.pins[1]: \"" + kValidPin + "\" is already listed at server.pins[0]; remove one"}},
    {"no field turns off TLS verification", {set("/server/verify_tls", "false")},
     {"server.verify_tls: unknown field; allowed here: url, pins, ca"}},
    {"ca holds PEM certificates", {set("/server/ca", json_string(kCaPem))}, {}},
    {"two certificates in one ca", {set("/server/ca", json_string(kCaPem + kCaPem))}, {}},
    {"ca is PEM text", {set("/server/ca", R"("MIIBjzCCATWgAwIBAgIU")")},
     {"server.ca: there is no PEM certificate here: " + kCaHint}},
    {"ca holds no private key",
     {set("/server/ca",
          json_string(kCaPem + "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"))},
     {"server.ca: block 2 is a \"PRIVATE KEY\", not a certificate: list certificates only (never "
      "a private key)"}},
    {"a ca certificate must parse",
     {set("/server/ca", json_string("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"))},
     {"server.ca: certificate 1 cannot be read: " + kCaHint}},
    {"ca is at most 64 KiB", {set("/server/ca", json_string(repeat("A", 65537)))},
     {"server.ca: the certificates take 65537 bytes, more than the 65536 allowed: list only the "
      "CA that signs the server's certificate"}},

    // appearance
    {"appearance is an object", {set("/appearance", "[]")},
     {"appearance: expected an object, got an array"}},
    {"the logo is in the profile's folder", {set("/appearance/logo", R"("img/logo.svg")")},
     {"appearance.logo: \"img/logo.svg\" " + kLogoNameRule}},
    {"the logo is not outside the profile's folder", {set("/appearance/logo", R"("../logo.svg")")},
     {"appearance.logo: \"../logo.svg\" " + kLogoNameRule}},
    {"the logo is not a Windows path", {set("/appearance/logo", R"("C:\\logo.png")")},
     {"appearance.logo: \"C:\\\\logo.png\" " + kLogoNameRule}},
    {"the logo is not a hidden file", {set("/appearance/logo", R"(".logo.svg")")},
     {"appearance.logo: \".logo.svg\" " + kLogoNameRule}},
    {"the logo is SVG or PNG", {set("/appearance/logo", R"("logo.gif")")},
     {"appearance.logo: \"logo.gif\" is not an SVG or PNG file: the name must end in .svg or "
      ".png"}},
    {"the logo's extension may be in capitals", {set("/appearance/logo", R"("LOGO.PNG")")}, {}},
    {"the logo is a string", {set("/appearance/logo", "true")},
     {"appearance.logo: expected a string, got a boolean"}},
    {"the accent is #RRGGBB", {set("/appearance/accent", R"("blue")")},
     {"appearance.accent: \"blue\" is not a colour: write #RRGGBB in hexadecimal, e.g. "
      "\"#0A6ED1\""}},
    {"the accent has six digits", {set("/appearance/accent", R"("#0A6ED")")},
     {"appearance.accent: \"#0A6ED\" is not a colour: write #RRGGBB in hexadecimal, e.g. "
      "\"#0A6ED1\""}},
    {"the accent may be lowercase", {set("/appearance/accent", R"("#0a6ed1")")}, {}},
    {"support may be left out", {drop("/support")}, {}},
    {"support needs its email", {set("/support", "{}")},
     {"support.email: required field is missing; add the address customers write to, e.g. "
      "\"help@acme.example\""}},
    {"the support email is an address", {set("/support/email", R"("help")")},
     {"support.email: \"help\" is not an email address customers can write to, e.g. "
      "\"help@acme.example\""}},
    {"the support page is https", {set("/support/url", R"("http://acme.example/help")")},
     {"support.url: \"http://acme.example/help\" is not a web page customers can open: write an "
      "https:// address without spaces, e.g. \"https://acme.example/help\""}},
    {"support has only an email and a page", {set("/support/phone", R"("+351 21 000 0000")")},
     {"support.phone: unknown field; allowed here: email, url"}},
    {"unknown appearance field close to a known one", {set("/appearance/welcom", "{}")},
     {"appearance.welcom: unknown field; did you mean \"welcome\"?"}},
    {"unknown appearance field far from any", {set("/appearance/color", R"("#000000")")},
     {"appearance.color: unknown field; allowed here: logo, accent, welcome"}},

    // assistance
    {"assistance is an object", {set("/assistance", "true")},
     {"assistance: expected an object, got a boolean"}},
    {"assistance is on by default, so it must be written",
     {drop("/assistance")},
     {"assistance: required field is missing; assistance is on by default and needs its groups: "
      "add {\"groups\": [...]}, or {\"enabled\": false} to turn it off"}},
    {"assistance.enabled is a boolean", {set("/assistance/enabled", R"("true")")},
     {"assistance.enabled: expected a boolean, got a string; write true without quotes"}},
    {"groups are required while assistance is enabled",
     {drop("/assistance/groups"), drop("/assistance/default_group")},
     {"assistance.groups: required field is missing; list at least one group while assistance "
      "is enabled, or set \"enabled\": false"}},
    {"groups are not empty while assistance is enabled", {set("/assistance/groups", "[]")},
     {"assistance.groups: must list at least one group while assistance is enabled; add a group "
      "or set \"enabled\": false",
      "assistance.default_group: \"billing\" is not one of the groups: none are listed"}},
    {"disabled assistance needs no groups",
     {set("/assistance", R"({"enabled": false})")}, {}},
    {"disabled assistance may have no groups",
     {set("/assistance/enabled", "false"), set("/assistance/groups", "[]"),
      drop("/assistance/default_group")},
     {}},
    {"groups are an array", {set("/assistance/groups", "{}")},
     {"assistance.groups: expected an array, got an object"}},
    {"a group is an object", {set("/assistance/groups/0", R"("helpdesk")")},
     {"assistance.groups[0]: expected an object, got a string"}},
    {"a group id is required", {drop("/assistance/groups/0/id")},
     {"assistance.groups[0].id: required field is missing; give the group's id on the server, "
      "e.g. \"helpdesk\""}},
    {"a group name is required", {drop("/assistance/groups/1/name")},
     {"assistance.groups[1].name: required field is missing; give the name customers see, e.g. "
      "{\"en\": \"Help desk\"}"}},
    {"a group id has the server's format", {set("/assistance/groups/0/id", R"("Help Desk")")},
     {"assistance.groups[0].id: \"Help Desk\" is not a valid group id: use 2 to 40 lowercase "
      "letters, digits and '-', the group's id on the server, e.g. \"first-line\""}},
    {"a group id has at least 2 characters", {set("/assistance/groups/0/id", R"("h")")},
     {"assistance.groups[0].id: \"h\" is not a valid group id: use 2 to 40 lowercase letters, "
      "digits and '-', the group's id on the server, e.g. \"first-line\""}},
    {"group ids are unique",
     {set("/assistance/groups/-", R"({"id": "helpdesk", "name": {"en": "Support"}})")},
     {"assistance.groups[2].id: \"helpdesk\" is already used by assistance.groups[0]"}},
    {"a group has only an id and a name", {set("/assistance/groups/0/title", R"("Help")")},
     {"assistance.groups[0].title: unknown field; allowed here: id, name"}},
    {"at most 50 groups",
     {set("/assistance/groups", groups_json(51)), set("/assistance/default_group", R"("group-0")")},
     {"assistance.groups: has 51 groups; at most 50 are allowed"}},
    {"50 groups",
     {set("/assistance/groups", groups_json(50)), set("/assistance/default_group", R"("group-0")")},
     {}},
    {"default_group is one of the groups", {set("/assistance/default_group", R"("sales")")},
     {"assistance.default_group: \"sales\" is not one of the groups: helpdesk, billing"}},
    {"default_group suggests a close group", {set("/assistance/default_group", R"("helpdek")")},
     {"assistance.default_group: \"helpdek\" is not one of the groups: helpdesk, billing; did you "
      "mean \"helpdesk\"?"}},
    {"default_group may come before the groups",
     {drop("/assistance/groups"),
      set("/assistance/groups", R"([{"id": "billing", "name": {"en": "Billing"}}])")},
     {}},
    {"default_group is a string", {set("/assistance/default_group", "1")},
     {"assistance.default_group: expected a string, got a number"}},
    {"default_priority is a priority", {set("/assistance/default_priority", R"("critical")")},
     {"assistance.default_priority: \"critical\" is not one of the priorities: low, medium, high, "
      "urgent"}},
    {"default_priority suggests a close priority",
     {set("/assistance/default_priority", R"("urgnet")")},
     {"assistance.default_priority: \"urgnet\" is not one of the priorities: low, medium, high, "
      "urgent; did you mean \"urgent\"?"}},
    {"customer_sets_priority is a boolean", {set("/assistance/customer_sets_priority", "1")},
     {"assistance.customer_sets_priority: expected a boolean, got a number"}},
    {"subject is a subject mode", {set("/assistance/subject", R"("mandatory")")},
     {"assistance.subject: \"mandatory\" is not one of the subject modes: hidden, optional, "
      "required"}},
    {"subject suggests a close mode", {set("/assistance/subject", R"("requred")")},
     {"assistance.subject: \"requred\" is not one of the subject modes: hidden, optional, "
      "required; did you mean \"required\"?"}},
    {"max_description is at least 100", {set("/assistance/max_description", "99")},
     {"assistance.max_description: must be between 100 and 16000 characters, got 99"}},
    {"max_description is at most 16000", {set("/assistance/max_description", "16001")},
     {"assistance.max_description: must be between 100 and 16000 characters, got 16001"}},
    {"max_description of 100", {set("/assistance/max_description", "100")}, {}},
    {"max_description of 16000", {set("/assistance/max_description", "16000")}, {}},
    {"max_description is an integer", {set("/assistance/max_description", R"("4000")")},
     {"assistance.max_description: expected an integer, got a string; write 4000 without "
      "quotes"}},
    {"attachments is an object", {set("/assistance/attachments", "5")},
     {"assistance.attachments: expected an object, got a number"}},
    {"attachments.max_files is at most 20",
     {set("/assistance/attachments", R"({"max_files": 21})")},
     {"assistance.attachments.max_files: must be between 0 and 20 files, got 21"}},
    {"attachments.max_files is not negative",
     {set("/assistance/attachments", R"({"max_files": -1})")},
     {"assistance.attachments.max_files: must be between 0 and 20 files, got -1"}},
    {"attachments.max_files of 0 turns attachments off",
     {set("/assistance/attachments", R"({"max_files": 0})")},
     {}},
    {"attachments.max_total_mib is at least 1",
     {set("/assistance/attachments", R"({"max_total_mib": 0})")},
     {"assistance.attachments.max_total_mib: must be between 1 and 100 MiB, got 0"}},
    {"attachments.max_total_mib is at most 100",
     {set("/assistance/attachments", R"({"max_files": 20, "max_total_mib": 101})")},
     {"assistance.attachments.max_total_mib: must be between 1 and 100 MiB, got 101"}},
    {"attachments.max_total_mib is an integer",
     {set("/assistance/attachments", R"({"max_total_mib": "20"})")},
     {"assistance.attachments.max_total_mib: expected an integer, got a string; write 20 "
      "without quotes"}},
    {"unknown attachments field close to a known one",
     {set("/assistance/attachments", R"({"max_file": 3})")},
     {"assistance.attachments.max_file: unknown field; did you mean \"max_files\"?"}},
    {"unknown assistance field close to a known one",
     {set("/assistance/default_groups", R"(["helpdesk"])")},
     {"assistance.default_groups: unknown field; did you mean \"default_group\"?"}},

    // remote
    {"remote is an object", {set("/remote", R"("x11vnc")")},
     {"remote: expected an object, got a string"}},
    {"remote is on by default, so it must be written", {drop("/remote")},
     {"remote: required field is missing; remote support is on by default and needs its "
      "backends: add {\"backends\": [...]}, or {\"enabled\": false} to turn it off"}},
    {"remote.enabled is a boolean", {set("/remote/enabled", "0")},
     {"remote.enabled: expected a boolean, got a number"}},
    {"request_timeout_s is at least 10", {set("/remote/request_timeout_s", "9")},
     {"remote.request_timeout_s: must be between 10 and 600 seconds, got 9"}},
    {"request_timeout_s is at most 600", {set("/remote/request_timeout_s", "601")},
     {"remote.request_timeout_s: must be between 10 and 600 seconds, got 601"}},
    {"request_timeout_s is not negative", {set("/remote/request_timeout_s", "-60")},
     {"remote.request_timeout_s: must be between 10 and 600 seconds, got -60"}},
    {"request_timeout_s of 10", {set("/remote/request_timeout_s", "10")}, {}},
    {"request_timeout_s of 600", {set("/remote/request_timeout_s", "600")}, {}},
    {"backends are required while remote is enabled", {drop("/remote/backends")},
     {"remote.backends: required field is missing; list at least one backend while remote is "
      "enabled, or set \"enabled\": false"}},
    {"backends are not empty while remote is enabled", {set("/remote/backends", "[]")},
     {"remote.backends: must list at least one backend while remote is enabled; add a backend "
      "or set \"enabled\": false"}},
    {"disabled remote needs no backends", {set("/remote", R"({"enabled": false})")}, {}},
    {"a backend is an object", {set("/remote/backends/0", R"("x11vnc")")},
     {"remote.backends[0]: expected an object, got a string"}},
    {"a backend id is required", {drop("/remote/backends/0/id")},
     {"remote.backends[0].id: required field is missing; name the backend, e.g. \"x11vnc\""}},
    {"a backend id has the id format", {set("/remote/backends/0/id", R"("X11 VNC")")},
     {"remote.backends[0].id: \"X11 VNC\" is not a valid backend id: use 2 to 40 lowercase "
      "letters, digits and '-', e.g. \"x11vnc\""}},
    {"backend ids are unique",
     {set("/remote/backends/-", R"({"id": "x11vnc", "when": "any", "argv": ["x11vnc"]})")},
     {"remote.backends[1].id: \"x11vnc\" is already used by remote.backends[0]"}},
    {"when is required", {drop("/remote/backends/0/when")},
     {"remote.backends[0].when: required field is missing; say when to use this backend: x11, "
      "wayland, windows, none or any"}},
    {"when is a session type", {set("/remote/backends/0/when", R"("xorg")")},
     {"remote.backends[0].when: \"xorg\" is not one of the session types: x11, wayland, "
      "windows, none, any"}},
    {"when suggests a close session type", {set("/remote/backends/0/when", R"("wayand")")},
     {"remote.backends[0].when: \"wayand\" is not one of the session types: x11, wayland, "
      "windows, none, any; did you mean \"wayland\"?"}},
    {"argv is required", {drop("/remote/backends/0/argv")},
     {"remote.backends[0].argv: required field is missing; give the program and its arguments, "
      "e.g. [\"x11vnc\", \"-rfbport\", \"{port}\"]"}},
    {"argv is an array", {set("/remote/backends/0/argv", R"("x11vnc -once")")},
     {"remote.backends[0].argv: expected an array, got a string"}},
    {"argv is not empty", {set("/remote/backends/0/argv", "[]")},
     {"remote.backends[0].argv: must have at least the program to run, e.g. [\"x11vnc\", "
      "\"-rfbport\", \"{port}\"]"}},
    {"argv has at most 64 entries", {set("/remote/backends/0/argv", argv_json(65))},
     {"remote.backends[0].argv: has 65 entries; at most 64 are allowed"}},
    {"argv of 64 entries", {set("/remote/backends/0/argv", argv_json(64))}, {}},
    {"argv entries are strings", {set("/remote/backends/0/argv/2", "0")},
     {"remote.backends[0].argv[2]: expected a string, got a number"}},
    {"argv entries are not empty", {set("/remote/backends/0/argv/1", R"("")")},
     {"remote.backends[0].argv[1]: the argument is empty; remove it or give it a value"}},
    {"argv entries have at most 1024 characters",
     {set("/remote/backends/0/argv/1", json_string(repeat("x", 1025)))},
     {"remote.backends[0].argv[1]: the argument is 1025 characters long; at most 1024 are "
      "allowed"}},
    {"argv entries have no NUL", {set("/remote/backends/0/argv/1", R"("-dis\u0000play")")},
     {"remote.backends[0].argv[1]: the argument contains a NUL character, which cannot be passed "
      "to a program"}},
    {"the program is not a placeholder", {set("/remote/backends/0/argv/0", R"("{display}")")},
     {"remote.backends[0].argv[0]: the program must be named as it is, without placeholders or "
      "braces, e.g. \"x11vnc\""}},
    {"an unknown placeholder close to a known one",
     {set("/remote/backends/0/argv/3", R"("{passwd_file}")")},
     {"remote.backends[0].argv[3]: unknown placeholder \"{passwd_file}\"; did you mean "
      "\"{password_file}\"? Only {port}, {password_file} and {display} " + kPlaceholderNote}},
    {"an unknown placeholder far from any", {set("/remote/backends/0/argv/3", R"("--user={user}")")},
     {"remote.backends[0].argv[3]: unknown placeholder \"{user}\"; only {port}, {password_file} "
      "and {display} " + kPlaceholderNote}},
    {"an unmatched opening brace", {set("/remote/backends/0/argv/7", R"("rm:{password_file")")},
     {"remote.backends[0].argv[7]: unmatched \"{\": " + kBraceRule}},
    {"an unmatched closing brace", {set("/remote/backends/0/argv/5", R"("port}")")},
     {"remote.backends[0].argv[5]: unmatched \"}\": " + kBraceRule}},
    {"no field turns off consent", {set("/remote/consent", "false")},
     {"remote.consent: unknown field; allowed here: enabled, request_timeout_s, backends"}},
    {"no field hides the session indicator", {set("/remote/show_indicator", "false")},
     {"remote.show_indicator: unknown field; allowed here: enabled, request_timeout_s, backends"}},
    {"a backend has only id, when and argv", {set("/remote/backends/0/env", R"({"A": "1"})")},
     {"remote.backends[0].env: unknown field; allowed here: id, when, argv"}},

    // languages
    {"languages are required", {drop("/languages")},
     {"languages: required field is missing; list the languages of the profile's texts, e.g. "
      "[\"en\", \"pt\"]"}},
    {"languages are an array", {set("/languages", R"("en")")},
     {"languages: expected an array, got a string"}},
    {"languages are not empty", {set("/languages", "[]")},
     {"languages: must list at least one language, e.g. [\"en\"]"}},
    {"languages are strings", {set("/languages/-", "1")},
     {"languages[3]: expected a string, got a number"}},
    {"languages are language tags", {set("/languages/-", R"("English")")},
     {"languages[3]: \"English\" " + kTagRule}},
    {"languages are not repeated", {set("/languages/-", R"("pt")")},
     {"languages[3]: \"pt\" is already listed at languages[1]"}},
    {"languages are not repeated in another spelling",
     {set("/languages/-", R"("pt-BR")"), set("/languages/-", R"("pt_BR")")},
     {"languages[4]: \"pt_BR\" is the same language as languages[3]; keep one of them"}},
    {"a regional language covers its texts",
     {set("/languages", R"(["en", "pt_BR", "it"])"), drop("/name/pt"),
      set("/appearance/welcome", R"({"en": "Welcome", "pt-BR": "Bem-vindo"})")},
     {}},
};
// clang-format on

std::vector<std::string> sorted(std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    return v;
}

TEST_CASE("the valid profile of the table has no problems") {
    CHECK(check_text(kValidProfile).empty());
}

TEST_CASE("every profile rule gives its exact problem") {
    for (const auto& c : kCases) {
        const std::string text = edited_profile(c.edits);
        INFO(c.name << "\n" << text);
        CHECK(check_text(text) == c.problems);

        // A parsed nlohmann::json (sorted keys) gives the same problems, maybe in another order.
        Profile profile;
        const auto from_json = texts(parse_profile(nlohmann::json::parse(text), profile));
        if (c.depends_on_key_order)
            CHECK(from_json.size() == c.problems.size());
        else
            CHECK(sorted(from_json) == sorted(c.problems));
    }
}

TEST_CASE("a valid profile is read into every field") {
    Profile profile;
    REQUIRE(parse_profile_text(kValidProfile, profile).empty());

    CHECK(profile.schema == 1);
    CHECK(profile.id == "acme-support");
    CHECK(profile.revision == 7);
    CHECK(profile.name.get("en") == "Acme Support");
    CHECK(profile.name.get("pt") == "Suporte Acme");
    CHECK(profile.name.get("pt-BR") == "Suporte Acme Brasil");
    CHECK(profile.name.get("it") == "Acme Support");
    CHECK(profile.server.url == "https://support.acme.example:8443");
    CHECK(profile.server.pins ==
          std::vector<std::string>{"sha256//SQtEaKwQ3BC1FVXe2W7JXPsbt3OE1ZqaBrp8LDv5qeQ=",
                                   "sha256//On5bKgJ+bQLm6yPXlye0zb1BcV2A2ZgVrtVdD8GY8Js="});
    CHECK(profile.appearance.logo == "logo.svg");
    CHECK(profile.appearance.accent == "#0A6ED1");
    CHECK(profile.appearance.welcome.get("it") == "Benvenuto");

    const auto& assistance = profile.assistance;
    CHECK(assistance.enabled);
    REQUIRE(assistance.groups.size() == 2);
    CHECK(assistance.groups[0].id == "helpdesk");
    CHECK(assistance.groups[0].name.get("it") == "Assistenza");
    CHECK(assistance.groups[0].name.get("pt") == "Help desk");
    CHECK(assistance.groups[1].id == "billing");
    CHECK(assistance.default_group == std::optional<std::string>("billing"));
    CHECK(assistance.default_priority == Priority::high);
    CHECK(assistance.customer_sets_priority);
    CHECK(assistance.subject == SubjectMode::required);
    CHECK(assistance.max_description == 2000);

    const auto& remote = profile.remote;
    CHECK(remote.enabled);
    CHECK(remote.request_timeout_s == 90);
    REQUIRE(remote.backends.size() == 1);
    CHECK(remote.backends[0].id == "x11vnc");
    CHECK(remote.backends[0].when == "x11");
    CHECK(remote.backends[0].argv.size() == 10);
    CHECK(remote.backends[0].argv[7] == "rm:{password_file}");

    CHECK(profile.support.email == "help@acme.example");
    CHECK(profile.support.url == "https://acme.example/help");
    CHECK(profile.languages == std::vector<std::string>{"en", "pt", "it"});
}

TEST_CASE("attachment limits are read, and one left out keeps its default") {
    Profile profile;
    REQUIRE(parse_profile_text(edited_profile({set("/assistance/attachments",
                                                   R"({"max_files": 3, "max_total_mib": 50})")}),
                               profile)
                .empty());
    CHECK(profile.assistance.attachments.max_files == 3);
    CHECK(profile.assistance.attachments.max_total_mib == 50);
    REQUIRE(
        parse_profile_text(
            edited_profile({set("/assistance/attachments", R"({"max_total_mib": 8})")}), profile)
            .empty());
    CHECK(profile.assistance.attachments.max_files == 5);
    CHECK(profile.assistance.attachments.max_total_mib == 8);
}

TEST_CASE("localized texts keep the order the profile gives them") {
    Profile profile;
    REQUIRE(parse_profile_text(
                edited_profile({set("/name", R"({"pt": "Suporte", "en": "Support"})")}), profile)
                .empty());
    REQUIRE(profile.name.entries().size() == 2);
    CHECK(profile.name.entries()[0].first == "pt");
    CHECK(profile.name.get("de") == "Support");  // en before the first entry
}

TEST_CASE("optional fields take their defaults") {
    Profile profile;
    const auto problems = parse_profile_text(R"({
        "schema": 1, "id": "tiny", "revision": 1, "name": {"en": "Tiny"},
        "server": {"url": "https://tiny.example"},
        "assistance": {"groups": [{"id": "all", "name": {"en": "Everyone"}}]},
        "remote": {"enabled": false},
        "languages": ["en"]
    })",
                                             profile);
    REQUIRE(problems.empty());
    CHECK(profile.server.pins.empty());
    CHECK(profile.appearance.logo.empty());
    CHECK(profile.appearance.accent.empty());
    CHECK(profile.appearance.welcome.empty());
    CHECK(profile.assistance.enabled);
    CHECK_FALSE(profile.assistance.default_group.has_value());
    CHECK(profile.assistance.default_priority == Priority::medium);
    CHECK_FALSE(profile.assistance.customer_sets_priority);
    CHECK(profile.assistance.subject == SubjectMode::optional);
    CHECK(profile.assistance.max_description == 4000);
    CHECK(profile.assistance.attachments.max_files == 5);
    CHECK(profile.assistance.attachments.max_total_mib == 20);
    CHECK_FALSE(profile.remote.enabled);
    CHECK(profile.remote.request_timeout_s == 60);
    CHECK(profile.remote.backends.empty());
    CHECK(profile.support.email.empty());
    CHECK(profile.support.url.empty());
}

TEST_CASE("several problems are all reported at once, in document order") {
    const auto problems = check_text(R"({
      "schema": 2,
      "id": "Acme",
      "revision": 1,
      "name": {"en": "Acme", "de": "Acme"},
      "server": {"url": "http://support.acme.example"},
      "appearance": {"welcom": {"en": "Hi"}},
      "assistance": {"groups": [{"id": "helpdesk", "name": {"en": "Help"}},
                                {"id": "helpdesk", "name": {"en": "Help too"}}],
                     "default_group": "sales"},
      "remote": {"backends": [{"id": "vnc", "when": "x11", "argv": ["x11vnc", "{passwd_file}"]}]},
      "languages": ["en", "EN"]
    })");
    const std::string unlisted_language =
        "name.de: language \"de\" is not in languages: en; add it to languages or remove this "
        "text";
    CHECK(problems ==
          std::vector<std::string>{
              "schema: schema 2 is not supported: this client reads schema 1",
              "id: \"Acme\" " + kIdRule,
              unlisted_language,
              "server.url: " + kHttpRule + "\"https://support.acme.example\"",
              "appearance.welcom: unknown field; did you mean \"welcome\"?",
              "assistance.groups[1].id: \"helpdesk\" is already used by assistance.groups[0]",
              "assistance.default_group: \"sales\" is not one of the groups: helpdesk",
              "remote.backends[0].argv[1]: unknown placeholder \"{passwd_file}\"; did you mean "
              "\"{password_file}\"? Only {port}, {password_file} and {display} " +
                  kPlaceholderNote,
              "languages[1]: \"EN\" " + kTagRule,
          });
}

TEST_CASE("a profile with problems is still read as far as it goes") {
    Profile profile;
    const auto problems = parse_profile_text(
        edited_profile({set("/id", R"("Acme")"), set("/remote/request_timeout_s", "5"),
                        set("/assistance/groups/0/id", R"("Help Desk")")}),
        profile);
    CHECK(problems.size() == 3);
    CHECK(profile.id == "Acme");
    CHECK(profile.remote.request_timeout_s == 60);  // out of range: the default stays
    REQUIRE(profile.assistance.groups.size() == 2);
    CHECK(profile.assistance.groups[0].id == "Help Desk");
    CHECK(profile.languages.size() == 3);
}

TEST_CASE("parsing starts from an empty profile") {
    Profile profile;
    profile.id = "stale";
    profile.languages = {"de"};
    CHECK_FALSE(parse_profile_text("{}", profile).empty());
    CHECK(profile.id.empty());
    CHECK(profile.languages.empty());
}

TEST_CASE("a JSON syntax error is one problem with line and column") {
    using Catch::Matchers::StartsWith;
    Profile profile;
    auto problems = parse_profile_text("{\n  \"schema\": 1,\n  \"id\": \"acme\",,\n}", profile);
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].path.empty());
    CHECK_THAT(problems[0].message, StartsWith("invalid JSON at line 3, column 16: syntax error"));

    // Columns count characters: "é" is two bytes and one column.
    problems = parse_profile_text("{\"name\": {\"pt\": \"Suporte técnico\" x}}", profile);
    REQUIRE(problems.size() == 1);
    CHECK_THAT(problems[0].message, StartsWith("invalid JSON at line 1, column 35: "));

    problems = parse_profile_text("", profile);
    REQUIRE(problems.size() == 1);
    CHECK_THAT(problems[0].message, StartsWith("invalid JSON at line 1, column 1: "));
}

// Found by fuzz/profile_fuzzer.cpp: nlohmann throws out_of_range, not parse_error, for a
// number too large for a double, and it escaped parse_profile_text.
TEST_CASE("a number too large for a double is a JSON problem, not an exception") {
    using Catch::Matchers::Contains;
    Profile profile;
    for (const char* text : {"91E999", "{\"schema\": 1E400}", "[-1e99999]"}) {
        CAPTURE(text);
        std::vector<ProfileProblem> problems;
        REQUIRE_NOTHROW(problems = parse_profile_text(text, profile));
        REQUIRE(problems.size() == 1);
        CHECK(problems[0].path.empty());
        CHECK_THAT(problems[0].message, Contains("invalid JSON") && Contains("number overflow"));
    }
}

TEST_CASE("a field given twice in one object is a problem") {
    const auto problems = check_text(edited_profile({}).replace(1, 0, "\"id\": \"other\",\n"));
    CHECK(problems ==
          std::vector<std::string>{"id: duplicate field; each field may appear only once in an "
                                   "object"});

    std::string text = edited_profile({});
    const auto billing = text.find("\"en\": \"Billing\"");
    REQUIRE(billing != std::string::npos);
    text.insert(billing, "\"en\": \"Invoices\", ");
    CHECK(check_text(text) ==
          std::vector<std::string>{"assistance.groups[1].name.en: duplicate field; each field may "
                                   "appear only once in an object"});
}

TEST_CASE("priorities and subject modes have their names") {
    for (auto p : {Priority::low, Priority::medium, Priority::high, Priority::urgent})
        CHECK(parse_priority(to_string(p)) == p);
    CHECK(to_string(Priority::urgent) == "urgent");
    CHECK_FALSE(parse_priority("Urgent").has_value());
    CHECK_FALSE(parse_priority("").has_value());
    CHECK(to_string(SubjectMode::hidden) == "hidden");
    CHECK(to_string(SubjectMode::optional) == "optional");
    CHECK(to_string(SubjectMode::required) == "required");
}

TEST_CASE("the demo profile is valid") {
    const auto folder = test::source_path("branding/profiles/demo");
    Profile profile;
    const auto problems =
        texts(parse_profile_text(test::read_text(folder / "profile.json"), profile));
    CHECK(problems.empty());

    CHECK(profile.id == "demo-support");
    CHECK(profile.name.get("en") == "Demo Support");
    CHECK(profile.name.get("pt") != profile.name.get("en"));
    CHECK(profile.name.get("it") != profile.name.get("en"));
    CHECK(profile.server.url == "http://127.0.0.1:8080");
    CHECK(profile.languages == std::vector<std::string>{"en", "pt", "it"});
    REQUIRE(profile.assistance.groups.size() == 2);
    CHECK(profile.assistance.groups[0].id == "helpdesk");
    CHECK(profile.assistance.groups[1].id == "billing");
    CHECK(profile.assistance.default_group == std::optional<std::string>("helpdesk"));
    CHECK(profile.assistance.subject == SubjectMode::optional);
    CHECK(profile.assistance.customer_sets_priority);
    CHECK(profile.assistance.max_description == 4000);
    // x11vnc on X11, then the portal and wayvnc (behind helpline-vnc-auth) on Wayland, and
    // the client's own helpline-win-vnc on Windows.
    REQUIRE(profile.remote.backends.size() == 4);
    CHECK(profile.remote.backends[0].when == "x11");
    CHECK(profile.remote.backends[1].id == "portal");
    CHECK(profile.remote.backends[1].when == "wayland");
    CHECK(profile.remote.backends[1].argv.front() == "helpline-portal-vnc");
    CHECK(profile.remote.backends[2].id == "wayvnc");
    CHECK(profile.remote.backends[2].argv.front() == "helpline-vnc-auth");
    CHECK(profile.remote.backends[3].when == "windows");
    CHECK(profile.remote.backends[3].argv.front() == "helpline-win-vnc");
    CHECK(profile.remote.backends[0].argv ==
          std::vector<std::string>{"x11vnc", "-display", "{display}", "-localhost", "-rfbport",
                                   "{port}", "-passwdfile", "rm:{password_file}", "-once",
                                   "-quiet"});
    const auto has_language = [](const LocalizedText& text, std::string_view language) {
        return std::any_of(text.entries().begin(), text.entries().end(),
                           [&](const auto& entry) { return entry.first == language; });
    };
    for (const auto* language : {"en", "pt", "it"}) {
        INFO(language);
        CHECK(has_language(profile.name, language));
        CHECK(has_language(profile.appearance.welcome, language));
        for (const auto& group : profile.assistance.groups)
            CHECK(has_language(group.name, language));
    }

    // The logo exists and stays within what nanosvg (wxWidgets' SVG renderer) draws.
    const std::string logo = test::read_text(folder / profile.appearance.logo);
    REQUIRE_FALSE(logo.empty());
    CHECK(logo.find("viewBox=") != std::string::npos);
    for (const auto* unsupported : {"<text", "class=", "<style", "filter", "href", "<image"}) {
        INFO(unsupported);
        CHECK(logo.find(unsupported) == std::string::npos);
    }
}

}  // namespace
}  // namespace helpline
