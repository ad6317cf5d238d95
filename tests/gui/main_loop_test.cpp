// Results of background threads reach only what still exists: work posted for an owner that
// is gone by the time the main loop runs it is dropped, not run on a dangling object.
#include <wx/frame.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <memory>
#include <thread>

#include "client/gui/main_loop.h"
#include "tests/gui/wx_fixture.h"

using namespace helpline::gui;
using helpline::gui::test::pump_until;

namespace {

/// An owner of posted work, as Client and RemoteAssistance are.
struct Owner {
    int runs = 0;
    AliveToken alive;
};

}  // namespace

TEST_CASE("work posted from a thread for an owner that still exists runs on the main loop",
          "[main_loop]") {
    Owner owner;
    std::atomic<bool> on_main{false};
    const auto main_id = std::this_thread::get_id();
    std::thread worker([&] {
        post_if_alive(owner.alive, [&] {
            ++owner.runs;
            on_main = std::this_thread::get_id() == main_id;
        });
    });
    worker.join();
    REQUIRE(pump_until([&] { return owner.runs == 1; }));
    CHECK(on_main);
}

TEST_CASE("work posted from a thread for an owner destroyed meanwhile is dropped",
          "[main_loop]") {
    // The work would write into the owner's memory: run after the owner is gone it would be
    // a use after free (which the sanitized build reports).
    auto owner = std::make_unique<Owner>();
    int* runs = &owner->runs;
    std::atomic<int> ran{0};
    std::thread worker([&] {
        post_if_alive(owner->alive, [runs, &ran] {
            ++*runs;
            ++ran;
        });
    });
    worker.join();
    owner.reset();  // before the main loop got to the posted work
    int after = 0;
    wxTheApp->CallAfter([&] { ++after; });  // behind the posted work in the queue
    REQUIRE(pump_until([&] { return after == 1; }));
    CHECK(ran == 0);
}

TEST_CASE("work posted for a window destroyed meanwhile is dropped", "[main_loop]") {
    auto* frame = new wxFrame(nullptr, wxID_ANY, "gone");
    int ran = 0;
    call_on_window(frame, [&](wxFrame* f) {
        ++ran;
        f->SetTitle("touched");
    });
    delete frame;  // gone before the main loop runs what was posted
    int after = 0;
    wxTheApp->CallAfter([&] { ++after; });
    REQUIRE(pump_until([&] { return after == 1; }));
    CHECK(ran == 0);

    auto* alive = new wxFrame(nullptr, wxID_ANY, "alive");
    call_on_window(alive, [&](wxFrame* f) {
        ++ran;
        f->SetTitle("touched");
    });
    REQUIRE(pump_until([&] { return ran == 1; }));
    CHECK(alive->GetTitle() == "touched");
    alive->Destroy();
}
