// The translations load: with --lang (or the system's language) the windows show the texts of
// po/ — Italian, Portuguese, Brazilian Portuguese over Portuguese — and a language without a
// catalog falls back to English. The .mo files are the build's (<build>/locale).
#include <wx/button.h>
#include <wx/stattext.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <map>
#include <optional>

#include "client/core/relay_tunnel.h"
#include "client/gui/assistance_dialog.h"
#include "client/gui/error_text.h"
#include "client/gui/i18n.h"
#include "client/gui/main_frame.h"
#include "client/gui/requests_view.h"
#include "shared/stamp.h"
#include "tests/gui/demo_profile.h"
#include "tests/gui/env_vars.h"
#include "tests/gui/wx_fixture.h"

using namespace helpline;
using namespace helpline::gui;
using namespace helpline::gui::test;

namespace {

/// Sets the locale variables for one test and puts back what was there (and English).
class LocaleEnv {
  public:
    LocaleEnv() {
        for (const char* name : kNames)
            if (const char* v = std::getenv(name)) saved_[name] = v;
        for (const char* name : kNames) unset_env(name);
    }
    ~LocaleEnv() {
        for (const char* name : kNames) {
            const auto it = saved_.find(name);
            if (it == saved_.end())
                unset_env(name);
            else
                set_env(name, it->second.c_str());
        }
        (void)init_translations("en");  // the other tests read English
    }
    void set(const char* name, const char* value) { set_env(name, value); }

  private:
    static constexpr const char* kNames[] = {"LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"};
    std::map<std::string, std::string> saved_;
};

/// What the main window and the form say in `language` (after init_translations).
struct Shown {
    wxString assistance;
    wxString connected;
    wxString email_label;
};

Shown shown_in(const std::string& language) {
    const auto brand = demo_brand_with();
    auto* frame = new MainFrame(brand, language);
    frame->set_link_status({client::LinkState::connected, {}});
    Shown s;
    s.assistance = frame->assistance_button()->GetLabel();
    s.connected = frame->link_text();
    auto* form = new AssistanceDialog(frame, brand.profile, language, "", [](const auto&, const auto&, const auto&) {});
    s.email_label = dynamic_cast<wxStaticText*>(form->FindWindow("email-label"))->GetLabel();
    form->Destroy();
    frame->Destroy();
    pump_until([] { return false; }, std::chrono::milliseconds(20));
    return s;
}

}  // namespace

TEST_CASE("--lang it shows the Italian texts of po/it.po", "[i18n]") {
    LocaleEnv env;
    REQUIRE(init_translations("it") == "it");
    const Shown s = shown_in("it");
    CHECK(s.assistance == "Assistenza");
    CHECK(s.email_label == "Il tuo indirizzo email");
    CHECK(s.connected == "Connesso a Assistenza Demo");  // the team's name from the profile
    CHECK(status_words("open", "Ana") == "assegnata a Ana");
}

TEST_CASE("--lang pt shows Portuguese; pt_BR shows Brazil's wording over it", "[i18n]") {
    LocaleEnv env;
    REQUIRE(init_translations("pt") == "pt");
    const Shown pt = shown_in("pt");
    CHECK(pt.assistance == wxString::FromUTF8("Assist\u00eancia"));
    CHECK(pt.email_label == wxString::FromUTF8("O seu endere\u00e7o de email"));
    CHECK(pt.connected == "Ligado a Suporte Demo");

    REQUIRE(init_translations("pt_BR") == "pt_BR");
    const Shown br = shown_in("pt_BR");
    CHECK(br.assistance == wxString::FromUTF8("Assist\u00eancia"));  // not in pt_BR.po: pt's
    CHECK(br.email_label == wxString::FromUTF8("Seu endere\u00e7o de e-mail"));
    CHECK(br.connected == "Conectado a Suporte Demo");
    // "pt-BR" and "pt_BR.UTF-8" are the same language.
    CHECK(init_translations("pt-BR") == "pt_BR");
}

TEST_CASE("without --lang the system's language is used: LANGUAGE, LC_ALL, LC_MESSAGES, LANG",
          "[i18n]") {
    LocaleEnv env;
    env.set("LANG", "pt_BR.UTF-8");
    CHECK(init_translations("") == "pt_BR");
    CHECK(shown_in("pt_BR").email_label == wxString::FromUTF8("Seu endere\u00e7o de e-mail"));

    env.set("LC_ALL", "it_IT.UTF-8");  // LC_ALL wins over LANG; it_IT falls back to it
    CHECK(init_translations("") == "it_IT");
    CHECK(shown_in("it_IT").assistance == "Assistenza");

    env.set("LANGUAGE", "pt:it");  // the first of LANGUAGE's list wins over everything
    CHECK(init_translations("") == "pt");
    CHECK(translate("Assistance") == "Assist\u00eancia");

    unset_env("LANGUAGE");
    env.set("LC_ALL", "C");
    CHECK(init_translations("") == "en");
    CHECK(translate("Assistance") == "Assistance");

    // --lang wins over the system.
    env.set("LC_ALL", "it_IT.UTF-8");
    CHECK(init_translations("pt") == "pt");
    CHECK(translate("Assistance") == "Assist\u00eancia");
}

TEST_CASE("a language without a catalog shows English texts; the profile's texts still follow it",
          "[i18n]") {
    LocaleEnv env;
    CHECK(init_translations("de") == "de");
    const Shown s = shown_in("de");
    CHECK(s.assistance == "Assistance");
    CHECK(s.email_label == "Your email address");
    CHECK(s.connected == "Connected to Demo Support");  // the profile has no German name either
}

TEST_CASE("failures read in the customer's language, not the core's English", "[i18n]") {
    LocaleEnv env;
    REQUIRE(init_translations("it") == "it");
    CHECK(stamp_problem_text(make_error(stamp_error::kNotStamped, "not stamped")) ==
          wxString::FromUTF8("Questa copia di Helpline non \u00e8 personalizzata: non sa quale "
                             "team di assistenza contattare. Usa il programma che ti fornisce "
                             "il tuo team di assistenza."));
    CHECK(tunnel_problem_text(make_error(client::tunnel_error::kRefused, "HTTP 403")) ==
          "Il server di assistenza ha rifiutato la connessione per questa sessione.");
    CHECK(translate("Helpline cannot start") == "Helpline non pu\u00f2 avviarsi");
    CHECK(status_words("on_hold", "") == "sconosciuto");
}
