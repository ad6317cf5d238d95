#include "client/win_vnc/viewer_gate.h"

#include <algorithm>

namespace helpline::win_vnc {

bool ViewerGate::connected(Id id, Clock::time_point now) {
    if (viewer_ != nullptr || viewer_left_ || locked() || waiting_.size() >= kMaxWaiting)
        return false;
    waiting_.push_back({id, now});
    return true;
}

ViewerGate::Verdict ViewerGate::password(Id id, bool correct) {
    const auto waiting = std::find_if(waiting_.begin(), waiting_.end(),
                                      [&](const Waiting& w) { return w.id == id; });
    if (waiting == waiting_.end() || viewer_ != nullptr || viewer_left_) return Verdict::busy;
    if (locked()) return Verdict::too_many_wrong;
    if (!correct) {
        ++wrong_;
        return locked() ? Verdict::too_many_wrong : Verdict::wrong_password;
    }
    waiting_.erase(waiting);
    viewer_ = id;
    return Verdict::let_in;
}

void ViewerGate::disconnected(Id id) {
    if (id == viewer_) {
        viewer_ = nullptr;
        viewer_left_ = true;
        return;
    }
    std::erase_if(waiting_, [&](const Waiting& w) { return w.id == id; });
}

std::vector<ViewerGate::Id> ViewerGate::to_close(Clock::time_point now) const {
    std::vector<Id> close;
    for (const Waiting& w : waiting_)
        if (viewer_ != nullptr || viewer_left_ || locked() || now - w.since >= kLoginTime)
            close.push_back(w.id);
    return close;
}

}  // namespace helpline::win_vnc
