// The files of a request in the Assistance form, without a server: attached files show as
// thumbnails (images) or as name and size, Remove takes one away, files dropped onto the
// form are attached too, the profile's limits refuse files one by one with a sentence each
// (in the customer's language), and Send hands the files over — or, when one went missing
// meanwhile, names it and sends nothing.
#include <wx/button.h>
#include <wx/stattext.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "client/gui/assistance_dialog.h"
#include "client/gui/conversation_words.h"
#include "client/gui/i18n.h"
#include "tests/gui/conversation_samples.h"
#include "tests/gui/demo_profile.h"
#include "tests/gui/env_vars.h"
#include "tests/gui/wx_fixture.h"
#include "tests/support/fixtures.h"

using namespace helpline;
using namespace helpline::gui;
using namespace helpline::gui::test;
using std::chrono::seconds;
namespace fs = std::filesystem;

namespace {

/// A form of the demo brand with `limits` whose Send records the files it was given.
struct FormWithFiles {
    explicit FormWithFiles(const nlohmann::json& limits = nullptr)
        : brand(demo_brand_with(limits.is_null()
                                    ? nlohmann::json::object()
                                    : nlohmann::json{{"assistance", {{"attachments", limits}}}})) {
        PickerSetup picker;
        picker.screenshot_dir = dir / "shots";
        dialog = new AssistanceDialog(
            nullptr, brand.profile, "en", "ana@acme.example",
            [this](const client::PreparedTicket&, const client::TicketDraft&,
                   const std::vector<client::AttachmentFile>& f) { sent.push_back(f); },
            std::move(picker));
        client::TicketDraft draft;
        draft.email = "ana@acme.example";
        draft.description = "The printer prints blank pages.";
        dialog->fill(draft);
        dialog->Show();
    }
    ~FormWithFiles() {
        if (dialog) dialog->Destroy();
        pump_until([] { return false; }, std::chrono::milliseconds(20));
    }
    AttachmentPicker& picker() { return *dialog->attachments(); }
    std::vector<std::string> names() {
        std::vector<std::string> out;
        for (const auto& f : picker().files()) out.push_back(f.name);
        return out;
    }

    helpline::test::TempDir dir;
    client::Brand brand;
    wxWeakRef<AssistanceDialog> dialog;
    std::vector<std::vector<client::AttachmentFile>> sent;
};

}  // namespace

TEST_CASE(
    "attached files show as a thumbnail (an image) or a file's name and size, Remove takes one "
    "away, Send hands the others over in order",
    "[attachments]") {
    FormWithFiles form;
    const auto shot = sample_screenshot(form.dir.path());
    const auto log = sample_file(form.dir.path(), "install log.txt", 2'048);
    const auto notes = sample_file(form.dir.path(), "notes.txt", 10);
    form.picker().add_files({shot, log, notes});
    REQUIRE(form.names() ==
            std::vector<std::string>{"screenshot.png", "install log.txt", "notes.txt"});
    CHECK(form.picker().problems().empty());
    // The thumbnail is made on the picker's worker and comes a moment later.
    CHECK(pump_until([&] { return form.picker().has_thumbnail(0); }, seconds(5)));
    CHECK_FALSE(form.picker().has_thumbnail(1));
    auto* tile = form.picker().FindWindow("attachment-1");
    REQUIRE(tile != nullptr);
    CHECK(dynamic_cast<wxStaticText*>(tile->FindWindow("name"))->GetLabelText() ==
          "install log.txt");
    CHECK(dynamic_cast<wxStaticText*>(tile->FindWindow("size"))->GetLabel() == "2.0 KiB");
    CHECK(tile->FindWindow("file-icon") != nullptr);
    CHECK(form.picker().FindWindow("attachment-0")->FindWindow("thumbnail") != nullptr);

    form.picker().remove(1);
    CHECK(form.names() == std::vector<std::string>{"screenshot.png", "notes.txt"});
    form.dialog->press_send();
    REQUIRE(form.sent.size() == 1);
    REQUIRE(form.sent[0].size() == 2);
    CHECK(form.sent[0][0].path == shot);
    CHECK(form.sent[0][0].size == fs::file_size(shot));
    CHECK(form.sent[0][0].type == "image/png");
    CHECK(form.sent[0][1].name == "notes.txt");
    // The customer's own files stay where they are.
    CHECK(fs::exists(shot));
    CHECK(fs::exists(log));
}

TEST_CASE(
    "files over the profile's limits are refused one by one, each named with why, and the files "
    "taken before stay",
    "[attachments]") {
    FormWithFiles form(nlohmann::json{{"max_files", 2}, {"max_total_mib", 1}});
    const auto a = sample_file(form.dir.path(), "a.txt", 300'000);
    const auto b = sample_file(form.dir.path(), "b.txt", 800'000);
    const auto c = sample_file(form.dir.path(), "c.txt", 10);
    const auto big = sample_file(form.dir.path(), "disk.img", 2 * 1024 * 1024);
    const auto missing = form.dir.path() / "gone.txt";

    form.picker().add_files({a, big, b});
    CHECK(form.names() == std::vector<std::string>{"a.txt"});
    CHECK(
        form.picker().problems() ==
        std::vector<wxString>{
            wxString::FromUTF8("\u201cdisk.img\u201d is 2.0 MiB; one file may be at most 1.0 MiB."),
            wxString::FromUTF8("\u201cb.txt\u201d (781.3 KiB) would make the files larger than "
                               "1.0 MiB, the most that can be sent at once.")});
    // The sentences are on the form, under the files.
    auto* shown = dynamic_cast<wxStaticText*>(form.dialog->FindWindow("attachment-problems"));
    REQUIRE(shown != nullptr);
    CHECK(shown->IsShown());
    CHECK(shown->GetLabelText().Contains("disk.img"));

    form.picker().add_files({c, a, missing});
    CHECK(form.names() == std::vector<std::string>{"a.txt", "c.txt"});
    CHECK(form.picker().problems() ==
          std::vector<wxString>{
              wxString::FromUTF8("\u201ca.txt\u201d is already attached."),
              wxString::FromUTF8("\u201cgone.txt\u201d cannot be read: it is not there any more, "
                                 "or it is not a file you may open.")});
    form.picker().add_files({sample_file(form.dir.path(), "d.txt", 10)});
    CHECK(form.picker().problems() ==
          std::vector<wxString>{wxString::FromUTF8(
              "\u201cd.txt\u201d is one file too many: at most 2 files can be sent at once.")});

    // A request with a file the team does not take at all.
    FormWithFiles none(nlohmann::json{{"max_files", 0}});
    none.picker().add_files({c});
    CHECK(none.names().empty());
    CHECK(none.picker().problems() ==
          std::vector<wxString>{wxString::FromUTF8(
              "\u201cc.txt\u201d cannot be attached: this support team does not take attached "
              "files.")});
}

TEST_CASE("a file that went away before Send is named and nothing is sent", "[attachments]") {
    FormWithFiles form;
    const auto log = sample_file(form.dir.path(), "install.log", 100);
    form.picker().add_files({log});
    REQUIRE(form.names().size() == 1);
    fs::remove(log);
    form.dialog->press_send();
    CHECK(form.sent.empty());
    CHECK_FALSE(form.dialog->saving());
    CHECK(form.picker().problems() ==
          std::vector<wxString>{wxString::FromUTF8(
              "\u201cinstall.log\u201d cannot be read: it is not there any more, or it is not a "
              "file you may open.")});
}

TEST_CASE("files dropped onto the form are attached like picked ones", "[attachments]") {
    FormWithFiles form;
    const auto log = sample_file(form.dir.path(), "dropped.txt", 100);
    AttachmentDropTarget target(&form.picker());
    wxArrayString names;
    names.Add(wxString::FromUTF8(log.string()));
    CHECK(target.OnDropFiles(10, 10, names));
    CHECK(form.names() == std::vector<std::string>{"dropped.txt"});
    // The form takes drops itself (its panel has the target).
    CHECK(form.dialog->FindWindow("attachments")->GetParent()->GetDropTarget() != nullptr);
}

TEST_CASE("sizes, times and refusals of files read in the customer's language",
          "[attachments][i18n]") {
    const char* tz = std::getenv("TZ");
    const std::string saved_tz = tz != nullptr ? tz : "";
    set_env("TZ", "UTC");
    reread_time_zone();
    const auto now = *client::parse_utc("2026-12-06T16:42:00Z");
    CHECK(size_words(512) == "512 bytes");
    CHECK(size_words(3'500) == "3.4 KiB");
    CHECK(time_words("2026-12-06T09:05:00Z", now) == "Today, 09:05");
    CHECK(time_words("2026-12-05T23:59:00Z", now) == "Yesterday, 23:59");
    CHECK(time_words("2026-11-25T03:21:00Z", now) == "25 November 2026, 03:21");
    client::RefusedAttachment big;
    big.name = "disk.img";
    big.reason = client::RefusedAttachment::Reason::too_big;
    big.size = 21 * 1024 * 1024;
    big.limit = 20 * 1024 * 1024;

    REQUIRE(init_translations("pt") == "pt");
    CHECK(size_words(3'500) == "3,4 KiB");
    CHECK(time_words("2026-11-25T03:21:00Z", now) == "25 de novembro de 2026, 03:21");
    CHECK(time_words("2026-12-06T09:05:00Z", now) == "Hoje, 09:05");
    CHECK(refused_file_text(big) ==
          wxString::FromUTF8("\u00abdisk.img\u00bb tem 21,0 MiB; cada ficheiro pode ter no "
                             "m\u00e1ximo 20,0 MiB."));
    REQUIRE(init_translations("it") == "it");
    CHECK(size_words(3'500) == "3,4 KiB");
    CHECK(time_words("2026-11-25T03:21:00Z", now) == "25 novembre 2026, 03:21");
    CHECK(time_words("2026-12-05T23:59:00Z", now) == "Ieri, 23:59");
    REQUIRE(init_translations("en") == "en");

    if (saved_tz.empty())
        unset_env("TZ");
    else
        set_env("TZ", saved_tz.c_str());
    reread_time_zone();
}
