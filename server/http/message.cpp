#include "server/http/message.h"

#include <algorithm>
#include <cctype>

#include "shared/text.h"

namespace helpline::server::http {

void Headers::add(std::string name, std::string value) { fields_.emplace_back(std::move(name), std::move(value)); }

std::optional<std::string_view> Headers::get(std::string_view name) const {
    for (const auto& [n, v] : fields_)
        if (iequals(n, name)) return std::string_view(v);
    return std::nullopt;
}

std::optional<std::string_view> Request::bearer() const {
    auto auth = header("Authorization");
    if (!auth || auth->size() < 7 || !iequals(auth->substr(0, 7), "Bearer ")) return std::nullopt;
    auto token = trim_blanks(auth->substr(7));
    if (token.empty()) return std::nullopt;
    return token;
}

std::optional<std::string> Request::cookie(std::string_view name) const {
    for (const auto& [n, v] : headers.all()) {
        if (!iequals(n, "Cookie")) continue;
        std::string_view rest = v;
        while (!rest.empty()) {
            const auto semi = rest.find(';');
            auto pair = trim_blanks(rest.substr(0, semi));
            rest = semi == std::string_view::npos ? std::string_view{} : rest.substr(semi + 1);
            const auto eq = pair.find('=');
            if (eq != std::string_view::npos && trim_blanks(pair.substr(0, eq)) == name)
                return std::string(trim_blanks(pair.substr(eq + 1)));
        }
    }
    return std::nullopt;
}

bool EventSink::push(std::string frame) {
    std::function<void()> waker;
    {
        std::lock_guard lock(mutex_);
        if (closed_) return false;
        if (queue_.size() >= max_queued_) {
            closed_ = true;  // a client this far behind is dropped; it resumes with Last-Event-ID
        } else {
            queue_.push_back(std::move(frame));
        }
        waker = waker_;
    }
    if (waker) waker();  // outside the lock: the waker only posts to the session's strand
    return !closed_;
}

void EventSink::close() {
    std::function<void()> waker;
    {
        std::lock_guard lock(mutex_);
        closed_ = true;
        waker = waker_;
    }
    if (waker) waker();
}

void EventSink::set_waker(std::function<void()> waker) {
    std::lock_guard lock(mutex_);
    waker_ = std::move(waker);
}

std::vector<std::string> EventSink::drain() {
    std::lock_guard lock(mutex_);
    std::vector<std::string> out(std::make_move_iterator(queue_.begin()), std::make_move_iterator(queue_.end()));
    queue_.clear();
    return out;
}

void EventSink::disconnected() {
    if (disconnected_.exchange(true)) return;
    std::function<void()> callback;
    {
        std::lock_guard lock(mutex_);
        closed_ = true;
        callback = std::move(on_disconnect_);
        waker_ = nullptr;
    }
    if (callback) callback();
}

void EventSink::on_disconnect(std::function<void()> callback) {
    bool already = false;
    {
        std::lock_guard lock(mutex_);
        if (disconnected_) already = true;
        else on_disconnect_ = std::move(callback);
    }
    if (already && callback) callback();
}

std::string EventSink::frame(std::string_view event, std::string_view data, std::optional<std::int64_t> id) {
    std::string out;
    if (id) out += "id: " + std::to_string(*id) + "\n";
    if (!event.empty()) {
        out += "event: ";
        out += event;
        out += "\n";
    }
    std::size_t start = 0;
    while (true) {
        const auto nl = data.find('\n', start);
        out += "data: ";
        out += data.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
        out += "\n";
        if (nl == std::string_view::npos) break;
        start = nl + 1;
    }
    out += "\n";
    return out;
}

}  // namespace helpline::server::http
