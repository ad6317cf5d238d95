#include "bench/process_memory.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>

namespace helpline::bench {

MemorySample read_memory(pid_t pid) {
    MemorySample s;
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    const auto field = [&](const char* name, std::uint64_t& out) {
        const std::size_t n = std::strlen(name);
        if (line.compare(0, n, name) == 0) out = std::stoull(line.substr(n));
    };
    while (std::getline(in, line)) {
        field("VmRSS:", s.rss);
        field("VmHWM:", s.hwm);
        field("RssAnon:", s.anon);
        field("RssFile:", s.file);
    }
    return s;
}

void reset_peak(pid_t pid) {
    std::ofstream out("/proc/" + std::to_string(pid) + "/clear_refs");
    out << "5\n";
    out.flush();
    if (!out)
        throw std::runtime_error("cannot reset the peak RSS of process " + std::to_string(pid) +
                                 " (/proc/PID/clear_refs): run the benchmark as the server's user");
}

MemoryWatch::MemoryWatch(pid_t pid, std::chrono::microseconds period, std::size_t max_samples)
    : pid_(pid) {
    reset_peak(pid_);
    result_.before = read_memory(pid_);
    result_.largest = result_.before;
    thread_ = std::thread([this, period, max_samples] {
        while (!stopping_.load() && result_.samples < max_samples) {
            const MemorySample s = read_memory(pid_);
            ++result_.samples;
            if (s.rss > result_.largest.rss) result_.largest = s;
            std::this_thread::sleep_for(period);  // a sampling period, not a synchronisation
        }
    });
}

MemoryWatch::~MemoryWatch() {
    stopping_ = true;
    if (thread_.joinable()) thread_.join();
}

MemoryWatch::Result MemoryWatch::stop() {
    stopping_ = true;
    if (thread_.joinable()) thread_.join();
    result_.peak = read_memory(pid_).hwm;
    return result_;
}

}  // namespace helpline::bench
