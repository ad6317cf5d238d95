#include <windows.h>

#include <fmt/format.h>

#include <vector>

#include "client/core/win32_util.h"
#include "client/win_vnc/input_injector.h"

namespace helpline::win_vnc {

namespace {

INPUT to_input(const InputEvent& event) {
    INPUT input{};
    if (event.type == InputEvent::Type::key) {
        input.type = INPUT_KEYBOARD;
        if ((event.flags & key_flag::kUnicode) != 0) {
            input.ki.wScan = event.unit;
        } else {
            input.ki.wVk = event.vk;
            // The scan code too: some programs read it rather than the virtual key.
            input.ki.wScan = static_cast<WORD>(::MapVirtualKeyW(event.vk, MAPVK_VK_TO_VSC) & 0xff);
        }
        input.ki.dwFlags = event.flags;
        return input;
    }
    input.type = INPUT_MOUSE;
    input.mi.dx = event.dx;
    input.mi.dy = event.dy;
    input.mi.mouseData = static_cast<DWORD>(event.data);  // a wheel amount may be negative
    input.mi.dwFlags = event.flags;
    return input;
}

class SendInputInjector final : public InputSink {
  public:
    explicit SendInputInjector(std::function<void(const std::string&)> log)
        : log_(std::move(log)) {}

    void send(std::span<const InputEvent> events) override {
        std::vector<INPUT> inputs;
        inputs.reserve(events.size());
        for (const InputEvent& event : events) inputs.push_back(to_input(event));
        const UINT sent =
            ::SendInput(static_cast<UINT>(inputs.size()), inputs.data(), sizeof(INPUT));
        const bool delivered = sent == inputs.size();
        if (!delivered && !blocked_)
            log_(fmt::format("Input does not reach the desktop (the secure desktop of UAC or "
                             "Ctrl+Alt+Del may be shown): {}.",
                             client::win32::last_error_text()));
        if (delivered && blocked_) log_("Input reaches the desktop again.");
        blocked_ = !delivered;
    }

  private:
    std::function<void(const std::string&)> log_;
    bool blocked_ = false;
};

}  // namespace

std::unique_ptr<InputSink> open_input_injector(std::function<void(const std::string&)> log) {
    return std::make_unique<SendInputInjector>(std::move(log));
}

}  // namespace helpline::win_vnc
