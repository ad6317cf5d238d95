#pragma once
// Getting results of background threads onto the main loop, safely: core threads never touch
// wx objects; they post a function with CallAfter, and it runs only if its owner still exists
// when the main loop gets to it (Poedit's then_on_window).

#include <wx/app.h>
#include <wx/weakref.h>

#include <memory>
#include <utility>

namespace helpline::gui {

/// Owned by an object that receives posted work; what was posted for it is dropped once the
/// object (and with it the token) is gone.
class AliveToken {
  public:
    std::weak_ptr<const int> watch() const { return alive_; }

  private:
    std::shared_ptr<const int> alive_ = std::make_shared<const int>(0);
};

/// Runs `fn` on the main loop unless `owner`'s token is gone by then. Callable from any thread.
template <typename Fn>
void post_if_alive(const AliveToken& owner, Fn fn) {
    if (wxTheApp == nullptr) return;
    wxTheApp->CallAfter([alive = owner.watch(), fn = std::move(fn)]() mutable {
        if (alive.lock()) fn();
    });
}

/// The same with a watch taken earlier (on the main thread) from the owner's token: for a job
/// that runs on a worker while its owner may be destroyed, so that the worker never reads the
/// token itself.
template <typename Fn>
void post_if_alive(std::weak_ptr<const int> alive, Fn fn) {
    if (wxTheApp == nullptr) return;
    wxTheApp->CallAfter([alive = std::move(alive), fn = std::move(fn)]() mutable {
        if (alive.lock()) fn();
    });
}

/// The same for a window: `fn(window)` runs only if the window was not destroyed meanwhile.
/// Main thread only (wxWeakRef is not thread-safe); for background threads use AliveToken.
template <typename Window, typename Fn>
void call_on_window(Window* window, Fn fn) {
    if (wxTheApp == nullptr) return;
    wxTheApp->CallAfter([ref = wxWeakRef<Window>(window), fn = std::move(fn)]() mutable {
        if (Window* w = ref.get()) fn(w);
    });
}

}  // namespace helpline::gui
