#include "client/win_vnc/framebuffer.h"

#include <utility>

namespace helpline::win_vnc {

namespace {

std::vector<std::uint8_t> black(int width, int height) {
    return std::vector<std::uint8_t>(static_cast<std::size_t>(width) * height * 4, 0);
}

}  // namespace

Framebuffer::Framebuffer(int width, int height)
    : width_(width), height_(height), pixels_(black(width, height)) {}

std::vector<std::uint8_t> Framebuffer::resize(int width, int height) {
    width_ = width;
    height_ = height;
    return std::exchange(pixels_, black(width, height));
}

std::vector<Rect> Framebuffer::update(const FrameView& frame) {
    return portal_vnc::copy_changed(frame, Rect{0, 0, frame.width, frame.height}, pixels_.data(),
                                    width_, height_);
}

}  // namespace helpline::win_vnc
