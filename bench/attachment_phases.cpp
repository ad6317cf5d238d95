#include "bench/attachment_phases.h"

#include <fcntl.h>
#include <magic.h>
#include <malloc.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <functional>
#include <stdexcept>

#include "bench/process_memory.h"
#include "bench/submissions.h"
#include "server/api/attachment_file.h"
#include "server/store/store.h"

namespace helpline::bench {
namespace {

using Clock = std::chrono::steady_clock;

/// Runs `step`, adding its time and this process's peak RSS growth to `into`.
void measure(PhaseRuns& into, const std::function<void()>& step) {
    const pid_t self = ::getpid();
    reset_peak(self);
    const MemorySample before = read_memory(self);
    const auto start = Clock::now();
    step();
    into.seconds.push_back(std::chrono::duration<double>(Clock::now() - start).count());
    into.growth_kib.push_back(static_cast<double>(read_memory(self).hwm) -
                              static_cast<double>(before.rss));
}

/// What inspect_file does with libmagic for each upload: a cookie of its own, the compiled
/// database loaded, the file's first 64 KiB looked at.
void sniff_type(const std::string& bytes) {
    magic_t cookie = magic_open(MAGIC_MIME_TYPE | MAGIC_ERROR);
    if (cookie == nullptr || magic_load(cookie, nullptr) != 0)
        throw std::runtime_error("libmagic cannot load its database");
    const char* found =
        magic_buffer(cookie, bytes.data(), std::min<std::size_t>(bytes.size(), 64 * 1024));
    if (found == nullptr) throw std::runtime_error("libmagic found nothing");
    magic_close(cookie);
}

void sha256_of(const std::string& bytes) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr);
}

/// Writes `bytes` to a new file at `path` as the server's spool does (Beast's file body:
/// one write() per piece of at most 64 KiB read from the socket); fdatasync if `durable`.
void write_file(const std::string& path, const std::string& bytes, bool durable) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) throw std::runtime_error("cannot create " + path + ": " + std::strerror(errno));
    constexpr std::size_t kPiece = 64 * 1024;
    for (std::size_t at = 0; at < bytes.size();) {
        const ssize_t n = ::write(fd, bytes.data() + at, std::min(kPiece, bytes.size() - at));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            ::close(fd);
            throw std::runtime_error("cannot write " + path + ": " + std::strerror(errno));
        }
        at += static_cast<std::size_t>(n);
    }
    if (durable && ::fdatasync(fd) != 0) {
        ::close(fd);
        throw std::runtime_error("fdatasync of " + path + " failed: " + std::strerror(errno));
    }
    ::close(fd);
}

}  // namespace

void mirror_server_malloc() {
    mallopt(M_MMAP_THRESHOLD, 1 << 20);
    mallopt(M_TRIM_THRESHOLD, 32 << 20);
}

PhaseTimes time_phases(const std::string& database, std::int64_t ticket,
                       const std::filesystem::path& folder, std::string& bytes, std::size_t runs) {
    auto opened = server::open_store(database);
    if (!opened)
        throw std::runtime_error("cannot open the store " + database + ": " +
                                 opened.error().message);
    server::Store& store = **opened;
    UuidMaker uuids;
    PhaseTimes times;
    const std::string spooled = (folder / "upload-phases").string();
    const std::string durable = (folder / "durable-phases").string();
    for (std::size_t run = 0; run < runs; ++run) {
        // New content each run: store_attachment writes the bytes of a SHA-256 only once.
        const std::string mark = uuids.next();
        bytes.replace(0, mark.size(), mark);

        measure(times.spool, [&] { write_file(spooled, bytes, false); });
        Result<server::api::FileFacts> facts = make_error("bench", "not inspected");
        measure(times.inspect, [&] { facts = server::api::inspect_file(spooled, "bench.bin"); });
        if (!facts) throw std::runtime_error("inspect_file failed: " + facts.error().message);
        measure(times.magic, [&] { sniff_type(bytes); });
        measure(times.sha, [&] { sha256_of(bytes); });

        server::NewAttachment a;
        a.ticket_number = ticket;
        a.author = server::Author::customer;
        a.name = "bench.bin";
        a.declared_type = "application/octet-stream";
        a.type = facts->type;
        a.image = facts->image;
        a.size = facts->size;
        a.sha256 = facts->sha256;
        a.created_at = static_cast<server::Timestamp>(std::time(nullptr));
        const auto store_once = [&](PhaseRuns& into) {
            a.upload_key = uuids.next();
            Result<server::StoredAttachment> stored = make_error("bench", "not stored");
            measure(into, [&] { stored = store.store_attachment(a, spooled); });
            if (!stored)
                throw std::runtime_error("store_attachment failed: " + stored.error().message);
            if (!stored->created)
                throw std::runtime_error("store_attachment found the new key already stored");
        };
        store_once(times.store);
        store_once(times.duplicate);  // the same SHA-256 under another key: only its row
        std::filesystem::remove(spooled);

        measure(times.durable, [&] { write_file(durable, bytes, true); });
        std::filesystem::remove(durable);
    }
    return times;
}

}  // namespace helpline::bench
