// Localized texts: which text a customer sees for their language (docs/profile.md).

#include "shared/localized.h"

#include <catch2/catch.hpp>

namespace helpline {
namespace {

LocalizedText texts(std::vector<std::pair<std::string, std::string>> entries) {
    return LocalizedText(std::move(entries));
}

TEST_CASE("normalize_language gives language_REGION without encoding or modifier") {
    CHECK(normalize_language("pt") == "pt");
    CHECK(normalize_language("EN") == "en");
    CHECK(normalize_language("pt-br") == "pt_BR");
    CHECK(normalize_language("pt-BR") == "pt_BR");
    CHECK(normalize_language("pt_BR") == "pt_BR");
    CHECK(normalize_language("pt_BR.UTF-8") == "pt_BR");
    CHECK(normalize_language("pt_BR@euro") == "pt_BR");
    CHECK(normalize_language("de_AT.ISO-8859-1@euro") == "de_AT");
    CHECK(normalize_language("C.UTF-8") == "c");
    CHECK(normalize_language("") == "");
}

TEST_CASE("the requested language is used when there is a text for it") {
    const auto name = texts({{"en", "Support"}, {"pt", "Suporte"}, {"it", "Assistenza"}});
    CHECK(name.get("pt") == "Suporte");
    CHECK(name.get("it") == "Assistenza");
    CHECK(name.get("en") == "Support");
    CHECK(name.get("PT") == "Suporte");
}

TEST_CASE("a regional text is found whichever way the region is written") {
    const auto name = texts({{"en", "Support"}, {"pt", "Suporte"}, {"pt-BR", "Suporte Brasil"}});
    CHECK(name.get("pt-BR") == "Suporte Brasil");
    CHECK(name.get("pt_BR") == "Suporte Brasil");
    CHECK(name.get("pt_BR.UTF-8") == "Suporte Brasil");
    CHECK(name.get("pt-br") == "Suporte Brasil");
    CHECK(name.get("pt") == "Suporte");
}

TEST_CASE("a regional request falls back to its base language") {
    const auto name = texts({{"en", "Support"}, {"pt", "Suporte"}});
    CHECK(name.get("pt-BR") == "Suporte");
    CHECK(name.get("pt_BR.UTF-8") == "Suporte");
    CHECK(name.get("pt_PT@euro") == "Suporte");
}

TEST_CASE("a base request does not pick a regional text: it falls back to English") {
    const auto name = texts({{"en", "Support"}, {"pt_BR", "Suporte Brasil"}});
    CHECK(name.get("pt") == "Support");
}

TEST_CASE("an unknown or empty language falls back to English") {
    const auto name = texts({{"pt", "Suporte"}, {"en", "Support"}, {"it", "Assistenza"}});
    CHECK(name.get("de") == "Support");
    CHECK(name.get("de_DE.UTF-8") == "Support");
    CHECK(name.get("C") == "Support");
    CHECK(name.get("") == "Support");
}

TEST_CASE("without English the first text is used") {
    const auto name = texts({{"pt", "Suporte"}, {"it", "Assistenza"}});
    CHECK(name.get("de") == "Suporte");
    CHECK(name.get("") == "Suporte");
    CHECK(name.get("it_CH") == "Assistenza");
}

TEST_CASE("no texts give an empty string") {
    const LocalizedText none;
    CHECK(none.empty());
    CHECK(none.get("en").empty());
    CHECK(none.get("").empty());
}

TEST_CASE("entries keep their order and spelling") {
    const auto name = texts({{"pt-BR", "Suporte Brasil"}, {"en", "Support"}});
    REQUIRE(name.entries().size() == 2);
    CHECK(name.entries()[0].first == "pt-BR");
    CHECK(name.entries()[1].second == "Support");
    CHECK_FALSE(name.empty());
}

}  // namespace
}  // namespace helpline
