#pragma once
// A process's memory as /proc/PID/status tells it, and a thread that watches it while
// something runs: the attachment benchmark checks that an upload is streamed (the server's
// RSS does not grow by the file's size while it arrives and is stored).

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>

namespace helpline::bench {

/// KiB, from /proc/PID/status (0 when a field cannot be read).
struct MemorySample {
    std::uint64_t rss = 0;   ///< VmRSS
    std::uint64_t hwm = 0;   ///< VmHWM: the peak of VmRSS since start or the last reset
    std::uint64_t anon = 0;  ///< RssAnon: heap, stacks, anonymous mappings
    std::uint64_t file = 0;  ///< RssFile: mapped files (the program, libraries, mmap'd data)
};

MemorySample read_memory(pid_t pid);

/// Sets VmHWM back to the current VmRSS (`echo 5 > /proc/PID/clear_refs`, Linux ≥ 4.0), so
/// that the next VmHWM is the peak of what follows. Throws when refused.
void reset_peak(pid_t pid);

/// Samples a process every `period` on a thread of its own, from construction to stop()
/// (at most `max_samples`, so a forgotten watch ends by itself). The peak is VmHWM read at
/// stop() after a reset_peak() at construction: exact, whatever happened between samples.
class MemoryWatch {
  public:
    MemoryWatch(pid_t pid, std::chrono::microseconds period, std::size_t max_samples = 100'000);
    ~MemoryWatch();
    MemoryWatch(const MemoryWatch&) = delete;
    MemoryWatch& operator=(const MemoryWatch&) = delete;

    struct Result {
        MemorySample before;     ///< at construction, after the peak was reset
        MemorySample largest;    ///< the sample with the largest VmRSS (its split anon / file)
        std::uint64_t peak = 0;  ///< VmHWM at stop(): the exact peak since construction
        std::size_t samples = 0;
    };
    Result stop();

  private:
    pid_t pid_;
    std::atomic<bool> stopping_{false};
    Result result_;
    std::thread thread_;
};

}  // namespace helpline::bench
