#include "client/gui/screen_capture_flow.h"

#include <algorithm>

namespace helpline::gui {

bool ScreenCapture::Impl::crop(int left, int top, int right, int bottom) {
    left = std::max(x, left);
    top = std::max(y, top);
    right = std::min(x + width, right);
    bottom = std::min(y + height, bottom);
    if (right <= left || bottom <= top) return false;
    x = left;
    y = top;
    width = right - left;
    height = bottom - top;
    return true;
}

void ScreenCapture::Impl::schedule(std::chrono::milliseconds delay) {
    timer.StartOnce(static_cast<int>(std::max<long long>(1, delay.count())));
}

void ScreenCapture::Impl::still_hiding() {
    if (Clock::now() >= deadline)
        return fail("The client's windows were still on the screen after " +
                    std::to_string(timing.hide_deadline.count()) + " ms.");
    schedule(timing.poll);
}

void ScreenCapture::Impl::begin_choosing() {
    phase = Phase::choosing;
    deadline = Clock::now() + timing.choose_deadline;
    schedule(timing.poll);
}

void ScreenCapture::Impl::take_choice(CaptureOutcome::State choice) {
    release_input();
    if (choice == CaptureOutcome::State::cancelled) return finish_cancelled();
    if (!region_of_chosen()) return fail("The chosen window went away.");
    begin_settling();
    tick();
}

void ScreenCapture::Impl::begin_settling() {
    phase = Phase::settling;
    deadline = Clock::now() + timing.settle_deadline;
    last = {};
}

void ScreenCapture::Impl::settle() {
    auto image = grab();
    if (!image) return fail(grab_problem());
    // The desktop may still show the hidden windows for a frame or two (the compositor's
    // fade): the picture is taken once two grabs are equal.
    const bool settled = !last.empty() && last.width == image->width &&
                         last.height == image->height && last.rgb == image->rgb;
    last = std::move(*image);
    if (settled || Clock::now() >= deadline) {
        CaptureOutcome outcome;
        outcome.state = CaptureOutcome::State::captured;
        outcome.image = std::move(last);
        return finish(std::move(outcome));
    }
    schedule(timing.settle_step);
}

void ScreenCapture::Impl::show_again() {
    for (auto& window : hidden)
        if (window) window->Show();
    if (active) active->Raise();
    hidden.clear();
    forget_hidden();
}

void ScreenCapture::Impl::fail(const std::string& problem) {
    CaptureOutcome outcome;
    outcome.state = CaptureOutcome::State::failed;
    outcome.problem = problem;
    finish(std::move(outcome));
}

void ScreenCapture::Impl::finish_cancelled() {
    CaptureOutcome outcome;
    outcome.state = CaptureOutcome::State::cancelled;
    finish(std::move(outcome));
}

void ScreenCapture::Impl::finish(CaptureOutcome outcome) {
    phase = Phase::finished;
    timer.Stop();
    release_input();
    show_again();
    Done call = std::move(done);
    if (call) call(std::move(outcome));  // last: it may destroy the capture
}

ScreenCapture::ScreenCapture(CaptureMode mode, std::vector<wxTopLevelWindow*> hide, Done done,
                             CaptureTiming timing)
    : impl_(make_capture_impl(this)) {
    impl_->mode = mode;
    impl_->done = std::move(done);
    impl_->timing = timing;
    for (auto* window : hide)
        if (window != nullptr) impl_->hidden.emplace_back(window);
    Bind(wxEVT_TIMER, [this](wxTimerEvent&) { impl_->tick(); });
}

ScreenCapture::~ScreenCapture() {
    impl_->timer.Stop();
    if (impl_->phase != Impl::Phase::finished && impl_->phase != Impl::Phase::idle) {
        impl_->release_input();
        impl_->show_again();
    }
}

void ScreenCapture::start() {
    if (impl_->phase == Impl::Phase::idle) impl_->start();
}

bool ScreenCapture::choosing() const { return impl_->phase == Impl::Phase::choosing; }

}  // namespace helpline::gui
