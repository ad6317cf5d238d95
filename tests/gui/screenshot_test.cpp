// "Add a screenshot" in the whole client under Xvfb: the picture is the X server's screen —
// two windows of known colours that another X client painted — and not one pixel of the
// client's own windows, which step aside for it and come back; one window is chosen by
// clicking on it; Esc cancels; Remove deletes the picture; the request reaches the server
// with the screenshot's exact bytes.
#include <wx/image.h>
#include <wx/uiaction.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "tests/gui/client_actions.h"
#include "tests/gui/client_scene.h"
#include "tests/gui/conversation_team.h"

// After wx and our headers: Xlib's macros (None, Status, Bool).
#include <X11/Xlib.h>
#include <X11/Xutil.h>

using namespace helpline;
using namespace helpline::gui;
using namespace helpline::gui::test;
using std::chrono::seconds;
namespace fs = std::filesystem;

namespace {

constexpr unsigned long kBackground = 0x3366CC;  // the whole screen, under everything
constexpr unsigned long kSmall = 0xCC3333;       // a window the customer clicks on
const wxRect kSmallRect(24, 24, 160, 100);

/// Windows of another X client (a connection of the test's own): the X server paints their
/// background itself, so they are on screen whatever this process is doing.
class ColourWindows {
  public:
    ColourWindows() : display_(XOpenDisplay(nullptr)) {
        REQUIRE(display_ != nullptr);
        const ::Window root = DefaultRootWindow(display_);
        XSetWindowAttributes a{};
        a.override_redirect = True;  // placed where asked, window manager or not
        a.background_pixel = kBackground;
        const int w = DisplayWidth(display_, DefaultScreen(display_));
        const int h = DisplayHeight(display_, DefaultScreen(display_));
        background_ = XCreateWindow(display_, root, 0, 0, static_cast<unsigned>(w),
                                    static_cast<unsigned>(h), 0, CopyFromParent, InputOutput,
                                    CopyFromParent, CWOverrideRedirect | CWBackPixel, &a);
        a.background_pixel = kSmall;
        small_ = XCreateWindow(display_, root, kSmallRect.x, kSmallRect.y,
                               static_cast<unsigned>(kSmallRect.width),
                               static_cast<unsigned>(kSmallRect.height), 0, CopyFromParent,
                               InputOutput, CopyFromParent, CWOverrideRedirect | CWBackPixel, &a);
        XMapWindow(display_, background_);
        XLowerWindow(display_, background_);  // under the client's windows
        XMapWindow(display_, small_);
        XSync(display_, False);
    }
    ~ColourWindows() {
        XDestroyWindow(display_, small_);
        XDestroyWindow(display_, background_);
        XCloseDisplay(display_);
    }
    /// The colour of one pixel of the screen now.
    unsigned long pixel(int x, int y) const {
        XImage* image =
            XGetImage(display_, DefaultRootWindow(display_), x, y, 1, 1, AllPlanes, ZPixmap);
        REQUIRE(image != nullptr);
        const unsigned long p = XGetPixel(image, 0, 0) & 0xFFFFFF;
        XDestroyImage(image);
        return p;
    }

  private:
    Display* display_;
    ::Window background_ = 0;
    ::Window small_ = 0;
};

unsigned long rgb_at(const wxImage& image, int x, int y) {
    return (static_cast<unsigned long>(image.GetRed(x, y)) << 16) |
           (static_cast<unsigned long>(image.GetGreen(x, y)) << 8) | image.GetBlue(x, y);
}

}  // namespace

TEST_CASE(
    "Add a screenshot: the picture is the X screen without the client's own windows, which come "
    "back, one window is chosen by clicking on it, Esc cancels, Remove deletes it, the request "
    "carries the picture's exact bytes",
    "[gui][screenshot]") {
    ColourWindows colours;
    ClientScene scene;
    Client& client = scene.open();
    REQUIRE(pump_until([&] { return scene.connected(); }, seconds(20)));
    AssistanceDialog* form = client.open_assistance();
    REQUIRE(pump_until([&] { return form->IsShownOnScreen(); }));
    AttachmentPicker& picker = *form->attachments();
    REQUIRE(picker.FindWindow("add-screenshot") != nullptr);  // an X11 display

    // Before: the client's windows are on the screen, over the background.
    const wxPoint frame_centre = centre_of(client.frame());
    const wxPoint form_centre = centre_of(form);
    REQUIRE(pump_until([&] {
        return colours.pixel(frame_centre.x, frame_centre.y) != kBackground &&
               colours.pixel(form_centre.x, form_centre.y) != kBackground;
    }));

    // The whole screen: every pixel is one of the two windows' colours.
    bool hidden_seen = false;
    picker.add_screenshot(CaptureMode::screen);
    REQUIRE(picker.capture() != nullptr);
    REQUIRE(pump_until(
        [&] {
            if (!client.frame()->IsShown() && !form->IsShown()) hidden_seen = true;
            return picker.files().size() == 1;
        },
        seconds(15)));
    CHECK(hidden_seen);
    CHECK(picker.problems().empty());
    const fs::path whole = picker.files()[0].path;
    CHECK(whole.filename().string().rfind("screenshot-", 0) == 0);
    CHECK(whole.extension() == ".png");
    CHECK(picker.files()[0].type == "image/png");
    CHECK((fs::status(whole).permissions() & fs::perms::others_read) == fs::perms::none);
    {
        wxImage image(wxString::FromUTF8(whole.string()), wxBITMAP_TYPE_PNG);
        REQUIRE(image.IsOk());
        REQUIRE(image.GetWidth() == 1280);
        REQUIRE(image.GetHeight() == 800);
        long background = 0, small = 0, other = 0;
        for (int y = 0; y < image.GetHeight(); ++y)
            for (int x = 0; x < image.GetWidth(); ++x) {
                const unsigned long p = rgb_at(image, x, y);
                if (p == kBackground)
                    ++background;
                else if (p == kSmall && kSmallRect.Contains(x, y))
                    ++small;
                else
                    ++other;
            }
        CHECK(other == 0);  // no pixel of the client's windows
        CHECK(small == kSmallRect.width * kSmallRect.height);
        CHECK(background == 1280L * 800 - small);
        // Where the client's windows were, the picture has what is under them.
        CHECK(rgb_at(image, frame_centre.x, frame_centre.y) == kBackground);
        CHECK(rgb_at(image, form_centre.x, form_centre.y) == kBackground);
    }
    // The windows are back, and the picture is a thumbnail on the form.
    CHECK(pump_until([&] { return client.frame()->IsShown() && form->IsShownOnScreen(); }));
    CHECK(pump_until([&] { return picker.has_thumbnail(0); }, seconds(5)));

    // One window: chosen by a click on it (the pointer is grabbed meanwhile).
    picker.add_screenshot(CaptureMode::window);
    REQUIRE(pump_until([&] { return picker.capture() != nullptr && picker.capture()->choosing(); },
                       seconds(10)));
    CHECK_FALSE(client.frame()->IsShown());
    {
        wxUIActionSimulator sim;
        sim.MouseMove(kSmallRect.x + 60, kSmallRect.y + 40);
        sim.MouseClick();
    }
    REQUIRE(pump_until([&] { return picker.files().size() == 2; }, seconds(10)));
    {
        wxImage image(wxString::FromUTF8(picker.files()[1].path.string()), wxBITMAP_TYPE_PNG);
        REQUIRE(image.IsOk());
        CHECK(image.GetWidth() == kSmallRect.width);
        CHECK(image.GetHeight() == kSmallRect.height);
        bool all_small = true;
        for (int y = 0; y < image.GetHeight(); ++y)
            for (int x = 0; x < image.GetWidth(); ++x)
                if (rgb_at(image, x, y) != kSmall) all_small = false;
        CHECK(all_small);
    }
    CHECK(pump_until([&] { return client.frame()->IsShown() && form->IsShownOnScreen(); }));

    // Esc while choosing cancels: nothing is added and the windows come back.
    picker.add_screenshot(CaptureMode::window);
    REQUIRE(pump_until([&] { return picker.capture() != nullptr && picker.capture()->choosing(); },
                       seconds(10)));
    {
        wxUIActionSimulator sim;
        sim.Char(WXK_ESCAPE);
    }
    REQUIRE(pump_until([&] { return picker.capture() == nullptr; }, seconds(10)));
    CHECK(picker.files().size() == 2);
    CHECK(pump_until([&] { return client.frame()->IsShown() && form->IsShownOnScreen(); }));

    // Remove: the picture is not sent, and its file is gone.
    picker.remove(0);
    CHECK_FALSE(fs::exists(whole));
    REQUIRE(picker.files().size() == 1);
    const fs::path window_shot = picker.files()[0].path;
    const std::string expected_sha = sha256_of_file(window_shot);
    const std::string name = window_shot.filename().string();

    client::TicketDraft draft;
    draft.email = "ana@acme.example";
    draft.description = "The printer window shows an error.";
    form->fill(draft);
    form->press_send();
    REQUIRE(pump_until(
        [&] {
            return client.form() &&
                   client.form()->result_text().StartsWith("Your request number is");
        },
        seconds(20)));
    CHECK_FALSE(fs::exists(window_shot));  // the outbox had its copy; the cache keeps nothing
    Team team(scene.server());
    const auto tickets = team.queue();
    REQUIRE(tickets.size() == 1);
    const auto c = team.conversation(tickets[0].at("number").get<std::int64_t>());
    REQUIRE(c.at("attachments").size() == 1);
    CHECK(c.at("attachments")[0].at("name") == name);
    CHECK(c.at("attachments")[0].at("sha256") == expected_sha);
    CHECK(c.at("attachments")[0].at("image") == true);
    CHECK(c.at("attachments")[0].at("type") == "image/png");
}
