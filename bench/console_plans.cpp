// bench/console_plans: the SQL behind the console's endpoints on a seeded database — every
// statement the store runs for the queue, history (each filter), CSV export, requester
// type-ahead and dashboard, with its query plan and what it cost. The statements are not
// copied here: the real store (server/store) is opened on the database and its methods are
// called with the parameters the API handlers give them; a SQLite auto-extension traces
// every statement each connection runs (sqlite3_trace_v2 PROFILE: its SQL, the same SQL
// with the bound values, its time, the VM steps, full-scan steps and sorts, and the pages
// it read from the connection's cache or the file), and EXPLAIN QUERY PLAN is asked of
// each distinct statement on a separate read-only connection. Prints Markdown for
// docs/benchmarks.md.
//
// usage: console_plans DATA_DIR SEED_REPORT_JSON [--runs 5]
//   (SEED_REPORT_JSON: what seed_tickets printed, or console_bench's seed.json)

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>

#include "bench/bench_server.h"
#include "bench/bench_util.h"
#include "server/store/store.h"

namespace {

using namespace helpline::bench;
using helpline::server::DashboardQuery;
using helpline::server::HistoryCursor;
using helpline::server::HistoryFilter;
using helpline::server::Store;
using helpline::server::Timestamp;
using helpline::server::UserId;
using Clock = std::chrono::steady_clock;

constexpr const char* kUsage = "usage: console_plans DATA_DIR SEED_REPORT_JSON [--runs 5]\n";
constexpr Timestamp kDay = 86'400;

/// One statement as a connection ran it.
struct Traced {
    std::string sql;       ///< as prepared (with ? parameters)
    std::string expanded;  ///< with the bound values
    double ms = 0;
    int vm_steps = 0;
    int fullscan_steps = 0;
    int sorts = 0;
    int autoindexes = 0;
    int pages = 0;  ///< page cache hits + misses of its connection since the last statement
    int page_misses = 0;
};

std::mutex g_mutex;
bool g_capturing = false;
std::vector<Traced> g_traced;

int on_trace(unsigned type, void*, void* p, void* x) {
    if (type != SQLITE_TRACE_PROFILE) return 0;
    auto* stmt = static_cast<sqlite3_stmt*>(p);
    sqlite3* db = sqlite3_db_handle(stmt);
    Traced t;
    t.sql = sqlite3_sql(stmt);
    t.ms = static_cast<double>(*static_cast<sqlite3_int64*>(x)) / 1e6;
    t.vm_steps = sqlite3_stmt_status(stmt, SQLITE_STMTSTATUS_VM_STEP, 1);
    t.fullscan_steps = sqlite3_stmt_status(stmt, SQLITE_STMTSTATUS_FULLSCAN_STEP, 1);
    t.sorts = sqlite3_stmt_status(stmt, SQLITE_STMTSTATUS_SORT, 1);
    t.autoindexes = sqlite3_stmt_status(stmt, SQLITE_STMTSTATUS_AUTOINDEX, 1);
    int current = 0, highest = 0, misses = 0;
    sqlite3_db_status(db, SQLITE_DBSTATUS_CACHE_HIT, &current, &highest, 1);
    sqlite3_db_status(db, SQLITE_DBSTATUS_CACHE_MISS, &misses, &highest, 1);
    t.pages = current + misses;
    t.page_misses = misses;
    std::lock_guard lock(g_mutex);
    if (!g_capturing) return 0;
    for (const char* skip : {"BEGIN", "COMMIT", "ROLLBACK", "PRAGMA", "SAVEPOINT", "RELEASE"})
        if (t.sql.rfind(skip, 0) == 0) return 0;
    if (char* e = sqlite3_expanded_sql(stmt)) {
        t.expanded = e;
        sqlite3_free(e);
    }
    g_traced.push_back(std::move(t));
    return 0;
}

/// Runs on every connection opened in this process: the store's writer, its readers and
/// its checkpointer.
int trace_connection(sqlite3* db, char**, const sqlite3_api_routines*) {
    sqlite3_trace_v2(db, SQLITE_TRACE_PROFILE, on_trace, nullptr);
    return SQLITE_OK;
}

/// EXPLAIN QUERY PLAN of `sql`, as an indented tree.
std::string query_plan(sqlite3* db, const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, ("EXPLAIN QUERY PLAN " + sql).c_str(), -1, &stmt, nullptr) !=
        SQLITE_OK)
        return std::string("(cannot explain: ") + sqlite3_errmsg(db) + ")\n";
    std::map<int, int> depth;  // node id -> depth
    std::string out;
    while (sqlite3_step(stmt) == SQLITE_ROW) {
        const int id = sqlite3_column_int(stmt, 0);
        const int parent = sqlite3_column_int(stmt, 1);
        const int d = parent == 0 ? 0 : depth[parent] + 1;
        depth[id] = d;
        out += std::string(static_cast<std::size_t>(2 * d), ' ') + "- " +
               reinterpret_cast<const char*>(sqlite3_column_text(stmt, 3)) + "\n";
    }
    sqlite3_finalize(stmt);
    return out;
}

struct Case {
    std::string name;
    std::string who;                    ///< "admin" or "operator"
    std::function<std::size_t()> call;  ///< returns the rows answered
};

std::string shorten(std::string s, std::size_t max) {
    if (s.size() > max) s = s.substr(0, max) + " …";
    return s;
}

int run(int argc, char** argv) {
    if (argc < 3) throw std::invalid_argument("the data folder and the seed report are required");
    const std::filesystem::path data = argv[1];
    std::ifstream in(argv[2]);
    if (!in) throw std::invalid_argument(std::string("cannot read ") + argv[2]);
    const auto report = nlohmann::json::parse(in);
    int runs = 5;
    parse_flags(argc, argv, 3, {{"--runs", [&](const std::string& v) { runs = std::stoi(v); }}});

    sqlite3_auto_extension(reinterpret_cast<void (*)()>(trace_connection));
    const std::string path = (data / "helpline.db").string();
    auto opened = helpline::server::open_sqlite_store(path);
    if (!opened) throw std::runtime_error(opened.error().message);
    Store& store = **opened;

    const UserId focus = report.at("focus_id").get<UserId>();
    const Timestamp now = static_cast<Timestamp>(std::time(nullptr));
    const Timestamp history_from = report.at("history_from").get<Timestamp>();
    const Timestamp middle = ((history_from + now) / 2) / kDay * kDay;
    const std::string cursor = report.at("middle_cursor").get<std::string>();
    const auto dot = cursor.find('.');
    const HistoryCursor after{std::stoll(cursor.substr(0, dot)),
                              std::stoll(cursor.substr(dot + 1))};

    std::vector<Case> cases;
    const auto view = [&](const std::string& who) {
        return who == "admin" ? std::optional<UserId>{} : std::optional<UserId>{focus};
    };
    for (const std::string who : {"admin", "operator"}) {
        cases.push_back({"GET /queue", who, [&, who] { return store.queue(view(who)).size(); }});
        const auto history = [&, who](std::string name, std::function<void(HistoryFilter&)> set) {
            cases.push_back({std::move(name), who, [&store, &view, who, set] {
                                 HistoryFilter f;
                                 f.visible_to = view(who);
                                 set(f);
                                 return store.history(f).tickets.size();
                             }});
        };
        history("GET /history", [](HistoryFilter&) {});
        const auto frequent = report.at("frequent_email").get<std::string>();
        const auto rare = report.at("rare_email").get<std::string>();
        history("GET /history?email=" + frequent,
                [frequent](HistoryFilter& f) { f.email = frequent; });
        history("GET /history?email=" + rare, [rare](HistoryFilter& f) { f.email = rare; });
        history("GET /history?days=7", [now](HistoryFilter& f) { f.from = now - 7 * kDay; });
        history("GET /history?days=365", [now](HistoryFilter& f) { f.from = now - 365 * kDay; });
        history("GET /history?from=…&to=… (30 days mid-history)", [middle](HistoryFilter& f) {
            f.from = middle - 15 * kDay;
            f.to = middle + 15 * kDay;
        });
        history("GET /history?limit=1000 (and /history/export)",
                [](HistoryFilter& f) { f.limit = 1000; });
        history("GET /history?after=(mid-history cursor)",
                [after](HistoryFilter& f) { f.after = after; });
        const auto prefix3 = report.at("prefix3").get<std::string>();
        cases.push_back({"GET /history/requesters?prefix=a", who,
                         [&, who] { return store.history_requesters("a", view(who), 10).size(); }});
        cases.push_back({"GET /history/requesters?prefix=" + prefix3, who, [&, who, prefix3] {
                             return store.history_requesters(prefix3, view(who), 10).size();
                         }});
        cases.push_back({"GET /dashboard", who, [&, who] {
                             // As get_dashboard: today (UTC) and the last 24 hours, 7 days.
                             DashboardQuery q;
                             q.visible_to = view(who);
                             const Timestamp day_start = now - now % kDay;
                             const Timestamp hours_from = (now / 3600 - 23) * 3600;
                             q.since = std::min(day_start, hours_from);
                             q.week_from = now - 7 * kDay;
                             const auto d = store.dashboard(q);
                             return d.open.size() + d.created.size() + d.closed.size() +
                                    d.close_durations.size();
                         }});
    }
    cases.push_back({"every request: the caller and the directory", "both", [&] {
                         (void)store.session(
                             "0000000000000000000000000000000000000000000000000000000000000000");
                         (void)store.user(focus);
                         (void)store.groups_of(focus);
                         return store.users().size() + store.groups().size() +
                                store.organizations().size();
                     }});

    sqlite3* explain = nullptr;
    if (sqlite3_open_v2(path.c_str(), &explain, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK)
        throw std::runtime_error("cannot open " + path + " read-only");

    std::printf(
        "Query plans and costs on the seeded database (%s; %lld open, %lld closed, %lld expired "
        "tickets); the operator is user %lld (%s). In-process store calls, no HTTP: median and "
        "max of %d runs after the traced one.\n\n",
        path.c_str(), report.at("open").get<long long>(), report.at("closed").get<long long>(),
        report.at("expired").get<long long>(), static_cast<long long>(focus),
        report.at("focus_email").get<std::string>().c_str(), runs);
    std::printf("  machine: %s\n\n", machine_load().c_str());
    std::set<std::string> explained;
    for (const Case& c : cases) {
        {
            std::lock_guard lock(g_mutex);
            g_traced.clear();
            g_capturing = true;
        }
        const std::size_t rows = c.call();
        std::vector<Traced> traced;
        {
            std::lock_guard lock(g_mutex);
            g_capturing = false;
            traced = std::move(g_traced);
        }
        std::vector<double> ms;
        for (int i = 0; i < runs; ++i) {
            const auto start = Clock::now();
            (void)c.call();
            ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
        }
        std::printf("### %s — %s\n\n%zu rows; store call median %.2f ms, max %.2f ms\n\n",
                    c.name.c_str(), c.who.c_str(), rows, median(ms),
                    ms.empty() ? 0.0 : *std::max_element(ms.begin(), ms.end()));
        for (const Traced& t : traced) {
            std::printf(
                "- %.2f ms, %d pages (%d from the file), %d VM steps, %d full-scan steps, %d "
                "sorts%s:\n"
                "  `%s`\n",
                t.ms, t.pages, t.page_misses, t.vm_steps, t.fullscan_steps, t.sorts,
                t.autoindexes > 0 ? ", AUTOMATIC INDEX" : "", shorten(t.expanded, 600).c_str());
            if (explained.insert(t.sql).second) {
                std::string plan = query_plan(explain, t.sql);
                std::string indented;
                for (std::size_t at = 0; at < plan.size();) {
                    const auto nl = plan.find('\n', at);
                    indented += "    " + plan.substr(at, nl - at + 1);
                    at = nl + 1;
                }
                std::printf("%s", indented.c_str());
            } else {
                std::printf("    (plan as above)\n");
            }
        }
        std::printf("\n");
    }
    sqlite3_close(explain);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    return helpline::bench::bench_main("console_plans", kUsage, [&] { return run(argc, argv); });
}
