#include "client/gui/request_pages.h"

#include <fmt/format.h>

#include <cctype>
#include <filesystem>

#include "client/core/server_endpoint.h"
#include "client/gui/i18n.h"

namespace helpline::gui {
namespace {

namespace fs = std::filesystem;

/// ".png" from "screen shot.PNG": only letters and digits, so that a name from the server
/// chooses nothing but the viewer that opens the cached copy.
std::string safe_extension(const std::string& name) {
    const auto dot = name.rfind('.');
    if (dot == std::string::npos || name.size() - dot > 9) return {};
    std::string ext = ".";
    for (char c : name.substr(dot + 1)) {
        if (std::isalnum(static_cast<unsigned char>(c)) == 0) return {};
        ext += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return ext.size() > 1 ? ext : std::string();
}

/// The first line of a message, cut for a notification.
std::string preview(const std::string& body) {
    std::string line = body.substr(0, body.find('\n'));
    constexpr std::size_t kMax = 120;
    if (line.size() > kMax) {
        std::size_t cut = kMax;
        while (cut > 0 && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;
        line = line.substr(0, cut) + "\u2026";
    }
    return line;
}

}  // namespace

RequestPages::RequestPages(RequestPagesSetup setup)
    : setup_(std::move(setup)), transfers_(std::make_unique<DiskWorker>()) {}

RequestPages::~RequestPages() {
    for (auto& [number, page] : pages_)
        if (page) page->Destroy();
    transfers_->drop_queued();  // downloads nobody will see; one under way finishes
    transfers_.reset();
}

RequestPage* RequestPages::page(std::int64_t number) const {
    const auto it = pages_.find(number);
    return it != pages_.end() ? it->second.get() : nullptr;
}

std::vector<wxTopLevelWindow*> RequestPages::windows() const {
    std::vector<wxTopLevelWindow*> out;
    for (const auto& [number, page] : pages_)
        if (page) out.push_back(page.get());
    return out;
}

RequestPage* RequestPages::open(std::int64_t number) {
    if (RequestPage* existing = page(number)) {
        existing->Raise();
        load(number);
        return existing;
    }
    RequestPageActions actions;
    const auto alive = alive_.watch();
    actions.reload = [this, alive](std::int64_t n) {
        if (alive.lock()) load(n);
    };
    actions.mark_read = [this, alive](std::int64_t n, std::int64_t id) {
        if (alive.lock()) mark_read(n, id);
    };
    actions.fetch = [this, alive](const client::Attachment& a, auto done) {
        if (alive.lock()) fetch(a, std::move(done));
    };
    actions.save = [this, alive](const client::Attachment& a, const fs::path& target, auto done) {
        if (alive.lock()) save(a, target, std::move(done));
    };
    actions.reply = [this, alive](std::int64_t n, const std::string& text,
                                  const std::vector<client::AttachmentFile>& files) {
        if (alive.lock()) reply(n, text, files);
    };
    actions.new_request = setup_.new_request;
    PickerSetup picker;
    picker.limits = setup_.limits;
    picker.screenshot_dir = cache_folder(setup_.profile_id, "screenshots");
    picker.capture_timing = setup_.capture_timing;
    picker.log = setup_.log;
    picker.windows_to_hide = [this, alive] {
        std::vector<wxTopLevelWindow*> all;
        if (!alive.lock()) return all;
        if (setup_.windows) all = setup_.windows();
        for (auto* w : windows()) all.push_back(w);
        return all;
    };
    auto* created = new RequestPage(number, setup_.team, std::move(actions), std::move(picker));
    pages_[number] = created;
    if (setup_.status_of) {
        const auto [status, operator_name] = setup_.status_of(number);
        created->set_status(status, operator_name);
    }
    created->Show();
    load(number);
    // Replies of this ticket still waiting in the outbox (read on the disk worker).
    if (setup_.disk && setup_.outbox != nullptr)
        setup_.disk([this, alive, number, outbox = setup_.outbox] {
            auto entries = outbox->pending();
            post_if_alive(alive, [this, number, entries = std::move(entries)] {
                if (RequestPage* p = page(number)) p->set_pending(entries);
            });
        });
    return created;
}

void RequestPages::load(std::int64_t number) {
    if (RequestPage* p = page(number)) p->loading();
    setup_.post([this, alive = alive_.watch(), number](const client::ApiClient& api) {
        auto conversation = client::fetch_conversation(api, number);
        post_if_alive(alive, [this, number, conversation = std::move(conversation)] {
            loaded(number, conversation);
        });
    });
}

void RequestPages::loaded(std::int64_t number, const Result<client::Conversation>& conversation) {
    RequestPage* p = page(number);
    if (p == nullptr) return;
    if (!conversation) {
        failed_[number] = true;
        if (setup_.log)
            setup_.log(fmt::format("Request {}'s conversation could not be read: {}", number,
                                   conversation.error().message));
        p->load_failed(conversation.error());
        return;
    }
    failed_.erase(number);
    p->show_conversation(*conversation);
    if (setup_.status_of) {
        const auto [status, operator_name] = setup_.status_of(number);
        // The conversation's status is the newer; My requests knows the operator's name.
        p->set_status(conversation->status, status == conversation->status ? operator_name : "");
    }
}

void RequestPages::connected() {
    for (const auto& [number, failed] : failed_)
        if (failed && page(number) != nullptr) load(number);
}

void RequestPages::mark_read(std::int64_t number, std::int64_t message_id) {
    setup_.post([this, alive = alive_.watch(), number, message_id](const client::ApiClient& api) {
        const Status marked = client::mark_read(api, number, message_id);
        post_if_alive(alive, [this, number, marked] {
            if (!marked) {
                if (setup_.log)
                    setup_.log(fmt::format("Request {} could not be marked read: {}", number,
                                           marked.error().message));
                return;
            }
            if (setup_.read) setup_.read(number);
        });
    });
}

void RequestPages::fetch(const client::Attachment& a,
                         std::function<void(const Result<fs::path>&)> done) {
    const fs::path folder = cache_folder(setup_.profile_id, "attachments");
    const fs::path file =
        folder / fmt::format("{}-{}{}", a.id, a.sha256.substr(0, 16), safe_extension(a.name));
    std::error_code ec;
    if (fs::is_regular_file(file, ec) && fs::file_size(file, ec) == a.size) {
        done(file);  // the bytes of an attachment never change: its sha256 names them
        return;
    }
    const auto api = setup_.api ? setup_.api() : std::nullopt;
    if (!api) {
        done(make_error(client::net_error::kUnreachable, "The device is not registered yet."));
        return;
    }
    transfers_->post([this, alive = alive_.watch(), api = *api, id = a.id, folder, file,
                      done = std::move(done)] {
        (void)make_private_folder(folder);  // else the download says it cannot write
        auto got = client::download_attachment(api, id, file);
        Result<fs::path> result = got ? Result<fs::path>(file) : Result<fs::path>(got.error());
        post_if_alive(alive, [this, done, result = std::move(result), id] {
            if (!result && setup_.log)
                setup_.log(
                    fmt::format("File {} could not be downloaded: {}", id, result.error().message));
            done(result);
        });
    });
}

void RequestPages::save(const client::Attachment& a, const fs::path& target,
                        std::function<void(const Status&)> done) {
    const auto api = setup_.api ? setup_.api() : std::nullopt;
    if (!api) {
        done(make_error(client::net_error::kUnreachable, "The device is not registered yet."));
        return;
    }
    transfers_->post(
        [this, alive = alive_.watch(), api = *api, id = a.id, target, done = std::move(done)] {
            auto got = client::download_attachment(api, id, target);
            Status result = got ? Status(Ok{}) : Status(got.error());
            post_if_alive(alive, [this, done, result, id] {
                if (!result && setup_.log)
                    setup_.log(
                        fmt::format("File {} could not be saved: {}", id, result.error().message));
                done(result);
            });
        });
}

void RequestPages::reply(std::int64_t number, const std::string& text,
                         const std::vector<client::AttachmentFile>& files) {
    // Copied into the outbox and written durably on the disk worker, never here.
    setup_.disk([this, alive = alive_.watch(), number, text, files, outbox = setup_.outbox] {
        auto saved = outbox->add_reply(number, text, files);
        post_if_alive(alive, [this, number, saved = std::move(saved)] {
            RequestPage* p = page(number);
            if (!saved) {
                if (setup_.log)
                    setup_.log(fmt::format("A reply to request {} could not be saved: {}", number,
                                           saved.error().message));
                if (p != nullptr) p->reply_not_saved(saved.error());
                return;
            }
            if (p != nullptr) p->reply_saved(*saved);
            if (setup_.poke) setup_.poke();
        });
    });
}

void RequestPages::attempted(const client::OutboxEntry& entry, const client::Delivery& delivery) {
    if (RequestPage* p = page(entry.reply_to)) {
        p->reply_attempted(entry, delivery);
        return;
    }
    // The page was closed meanwhile: the customer still hears how it ended.
    if (delivery.state == client::Delivery::State::refused && setup_.notice)
        setup_.notice(tr("Your reply to request {number} was not accepted by the support "
                         "server: {reason}",
                         fmt::arg("number", entry.reply_to), fmt::arg("reason", delivery.detail)),
                      true);
}

void RequestPages::on_event(const client::DeviceEvent& event) {
    if (const auto* m = std::get_if<client::TicketMessage>(&event)) {
        team_message(*m);
    } else if (const auto* t = std::get_if<client::TicketUpdated>(&event)) {
        if (RequestPage* p = page(t->number)) p->set_status(t->status, t->operator_name);
    }
}

void RequestPages::team_message(const client::TicketMessage& m) {
    RequestPage* p = page(m.number);
    if (p != nullptr) p->add_message(m.message);
    // The customer reads it on the page when that is the window in front; else they are told.
    if (p != nullptr && p->IsShownOnScreen() && p->IsActive()) return;
    if (!setup_.notice) return;
    const std::string name = m.message.author_name.empty()
                                 ? std::string(tr("The support team").utf8_str())
                                 : m.message.author_name;
    const std::string text = preview(m.message.body);
    if (text.empty())
        setup_.notice(tr("{name} sent a file on your request {number}.", fmt::arg("name", name),
                         fmt::arg("number", m.number)),
                      true);
    else
        // TRANSLATORS: a desktop notification: an operator answered on the customer's request.
        setup_.notice(
            tr("{name} wrote on your request {number}: \u201c{text}\u201d", fmt::arg("name", name),
               fmt::arg("number", m.number), fmt::arg("text", text)),
            true);
}

}  // namespace helpline::gui
