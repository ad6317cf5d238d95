#include "bench/seed_data.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <ctime>
#include <numeric>
#include <stdexcept>
#include <string_view>
#include <unordered_set>

#include "bench/seed_text.h"

namespace helpline::bench::seed {
namespace {

constexpr std::int64_t kHour = 3600;
constexpr std::int64_t kDay = 24 * kHour;

struct GroupName {
    std::string_view id;
    std::string_view name;
};
/// The first is the group `BenchServer` (and the console tests) create with `init`.
constexpr std::array<GroupName, 20> kGroupCatalogue = {{
    {"helpdesk", "Help desk"},
    {"billing", "Billing"},
    {"network", "Network"},
    {"accounts", "Accounts and access"},
    {"hardware", "Hardware"},
    {"printing", "Printing"},
    {"email", "Email and calendar"},
    {"security", "Security"},
    {"onboarding", "Onboarding"},
    {"field-service", "Field service"},
    {"erp", "ERP"},
    {"telephony", "Telephony"},
    {"mobile", "Mobile devices"},
    {"servers", "Servers"},
    {"databases", "Databases"},
    {"web", "Web sites"},
    {"training", "Training"},
    {"procurement", "Procurement"},
    {"facilities", "Facilities"},
    {"second-line", "Second line"},
}};

/// Tickets filed without a group (a profile that offers none, or the customer chose none).
constexpr double kNoGroupShare = 0.04;

/// Relative load by hour of the day (UTC): European and American office hours.
constexpr std::array<double, 24> kHourWeights = {0.15, 0.12, 0.10, 0.10, 0.12, 0.20, 0.40, 0.80,
                                                 1.50, 1.70, 1.70, 1.60, 1.20, 1.50, 1.60, 1.60,
                                                 1.50, 1.00, 0.60, 0.45, 0.40, 0.35, 0.25, 0.20};
/// Relative load by weekday, Sunday first.
constexpr std::array<double, 7> kWeekdayWeights = {0.12, 1.0, 1.0, 1.0, 1.0, 0.95, 0.22};

double uniform(Rng& rng, double lo, double hi) {
    return std::uniform_real_distribution<double>(lo, hi)(rng);
}
bool chance(Rng& rng, double p) {
    return uniform(rng, 0, 1) < p;
}
template <typename T>
T pick_index(Rng& rng, T count) {
    return std::uniform_int_distribution<T>(0, count - 1)(rng);
}

/// Index drawn from a cumulative weight table.
std::size_t draw(Rng& rng, const std::vector<double>& cdf) {
    const double x = uniform(rng, 0, cdf.back());
    return static_cast<std::size_t>(std::upper_bound(cdf.begin(), cdf.end(), x) - cdf.begin());
}

std::vector<double> cumulative(const std::vector<double>& weights) {
    std::vector<double> cdf(weights.size());
    std::partial_sum(weights.begin(), weights.end(), cdf.begin());
    return cdf;
}

/// A time in [lo, hi) following the hour and weekday weights, and a volume that grew by
/// ~70 % over the history (`trend_from` .. `trend_to` are where the growth is measured).
std::int64_t draw_time(Rng& rng, std::int64_t lo, std::int64_t hi, std::int64_t trend_from,
                       std::int64_t trend_to) {
    constexpr double kMax = 1.7 * 1.0 * 1.3;
    for (;;) {
        const auto t =
            lo + static_cast<std::int64_t>(uniform(rng, 0, static_cast<double>(hi - lo)));
        const auto hour = static_cast<std::size_t>((t % kDay) / kHour);
        const auto weekday = static_cast<std::size_t>((t / kDay + 4) % 7);  // 1970-01-01: Thursday
        const double progress =
            trend_to > trend_from
                ? static_cast<double>(t - trend_from) / static_cast<double>(trend_to - trend_from)
                : 1.0;
        const double weight = kHourWeights[hour] * kWeekdayWeights[weekday] *
                              (0.75 + 0.55 * std::clamp(progress, 0.0, 1.0));
        if (uniform(rng, 0, kMax) < weight) return std::min(t, hi - 1);
    }
}

std::string capitalise(std::string_view word) {
    std::string out(word);
    if (!out.empty() && out[0] >= 'a' && out[0] <= 'z')
        out[0] = static_cast<char>(out[0] - 'a' + 'A');
    return out;
}

/// Makes unique lower-case emails for requesters.
class EmailMaker {
  public:
    explicit EmailMaker(Rng& rng) : rng_(rng) {
        std::vector<double> weights;
        for (std::size_t i = 0; i < customer_domains().size(); ++i)
            weights.push_back(1.0 / std::pow(static_cast<double>(i) + 1.0, 0.8));
        domain_cdf_ = cumulative(weights);
    }

    std::string next() {
        const auto first = first_names()[pick_index(rng_, first_names().size())];
        const auto last = last_names()[pick_index(rng_, last_names().size())];
        const auto domain = customer_domains()[draw(rng_, domain_cdf_)].domain;
        std::string local;
        const double shape = uniform(rng_, 0, 1);
        if (shape < 0.75)
            local = std::string(first) + "." + std::string(last);
        else if (shape < 0.9)
            local = std::string(1, first[0]) + "." + std::string(last);
        else
            local = std::string(first) + "_" + std::string(last);
        std::string email = local + "@" + std::string(domain);
        for (int n = 2; !seen_.insert(email).second; ++n)
            email = local + std::to_string(n) + "@" + std::string(domain);
        return email;
    }

  private:
    Rng& rng_;
    std::vector<double> domain_cdf_;
    std::unordered_set<std::string> seen_;
};

void make_team(DataSet& d, Rng& rng) {
    const SeedOptions& o = d.options;
    const bool focus = o.focus_visible > 0;
    if (o.groups < (focus ? 2 : 1) || o.groups > static_cast<int>(kGroupCatalogue.size()))
        throw std::invalid_argument("--groups must be from " + std::to_string(focus ? 2 : 1) +
                                    " to " + std::to_string(kGroupCatalogue.size()));
    // Two members in every group, and the focus operator with a partner in theirs.
    const int shared_groups = focus ? o.groups - 1 : o.groups;
    const int least = 2 * shared_groups + (focus ? 2 : 0);
    if (o.operators < least)
        throw std::invalid_argument("--operators must be at least " + std::to_string(least) +
                                    " for " + std::to_string(o.groups) +
                                    " groups (two members each)");
    if (focus && static_cast<double>(o.focus_visible) > 0.6 * static_cast<double>(o.open))
        throw std::invalid_argument("--focus-visible must be at most 60 % of --open");

    // Group sizes fall off like a real team's (one big front line, specialists); the
    // focus operator's group gets ~85 % of their queue, assignments from elsewhere the rest.
    const double focus_share = focus ? 0.85 * static_cast<double>(o.focus_visible) /
                                           static_cast<double>(o.open) / (1 - kNoGroupShare)
                                     : 0;
    double shared_total = 0;
    for (int i = 0; i < shared_groups; ++i) shared_total += 1.0 / std::pow(i + 1.0, 0.8);
    for (int i = 0; i < o.groups; ++i) {
        SeedGroup g;
        g.id = kGroupCatalogue[static_cast<std::size_t>(i)].id;
        g.name = kGroupCatalogue[static_cast<std::size_t>(i)].name;
        g.weight = i < shared_groups ? (1 - focus_share) / std::pow(i + 1.0, 0.8) / shared_total
                                     : focus_share;
        d.groups.push_back(std::move(g));
    }

    std::unordered_set<std::string> taken;
    for (int i = 0; i < o.operators; ++i) {
        SeedOperator op;
        std::string first, last;
        do {
            first = first_names()[pick_index(rng, first_names().size())];
            last = last_names()[pick_index(rng, last_names().size())];
        } while (!taken.insert(first + "." + last).second);
        op.email = first + "." + last + "@support.example";
        op.name = capitalise(first) + " " + capitalise(last);
        d.operators.push_back(std::move(op));
    }
    const auto join = [&](int op, int group) {
        d.operators[static_cast<std::size_t>(op)].groups.push_back(group);
        d.groups[static_cast<std::size_t>(group)].members.push_back(op);
    };
    std::vector<double> shared_weights;
    for (int i = 0; i < shared_groups; ++i)
        shared_weights.push_back(d.groups[static_cast<std::size_t>(i)].weight);
    const auto shared_cdf = cumulative(shared_weights);
    int first_free = 0;
    if (focus) {
        d.focus = o.operators - 1;
        join(d.focus, o.groups - 1);          // only their small group
        join(o.operators - 2, o.groups - 1);  // and a partner in it
    }
    for (int i = 0; i < 2 * shared_groups; ++i) join(first_free++, i % shared_groups);
    const int last_free = focus ? o.operators - 2 : o.operators;
    for (int i = first_free; i < last_free; ++i) join(i, static_cast<int>(draw(rng, shared_cdf)));
    // About a third of the team also covers a second group.
    for (int i = 0; i < o.operators; ++i) {
        if (i == d.focus || shared_groups < 2 || !chance(rng, 0.35)) continue;
        auto& mine = d.operators[static_cast<std::size_t>(i)].groups;
        int second = static_cast<int>(draw(rng, shared_cdf));
        if (std::find(mine.begin(), mine.end(), second) == mine.end()) join(i, second);
    }
}

struct Assigner {
    const DataSet& d;
    Rng& rng;

    std::int16_t member_of(int group) {
        if (group < 0) {
            // Without a group, anyone may take it (not the focus operator: their queue is
            // arranged separately).
            std::int16_t op;
            do op = static_cast<std::int16_t>(pick_index(rng, d.operators.size()));
            while (op == d.focus && d.operators.size() > 1);
            return op;
        }
        const auto& members = d.groups[static_cast<std::size_t>(group)].members;
        return static_cast<std::int16_t>(members[pick_index(rng, members.size())]);
    }
    std::int16_t other_member(int group, std::int16_t not_this) {
        for (int tries = 0; tries < 8; ++tries) {
            const auto op = member_of(group);
            if (op != not_this) return op;
        }
        return not_this;
    }
};

std::uint8_t draw_priority(Rng& rng) {
    const double x = uniform(rng, 0, 1);
    return x < 0.15 ? 0 : x < 0.70 ? 1 : x < 0.92 ? 2 : 3;
}

/// Who handled a history ticket and when, after `created_at` and before `closed_at`.
void settle_history(SeedTicket& t, Assigner& a, Rng& rng, std::int64_t ttl) {
    const double span = static_cast<double>(t.closed_at - t.created_at);
    const auto at = [&](double lo, double hi) {
        return t.created_at +
               std::max<std::int64_t>(1, static_cast<std::int64_t>(uniform(rng, lo, hi) * span));
    };
    if (t.status == Status::expired) {
        if (chance(rng, 0.25)) {
            t.op = a.member_of(t.group);
            t.assigned_at = t.created_at + static_cast<std::int64_t>(
                                               uniform(rng, 600, static_cast<double>(ttl) / 2));
            t.changed_at = t.assigned_at;
            t.changed_by = t.op;
        }
        return;
    }
    if (chance(rng, 0.92)) {
        t.op = a.member_of(t.group);
        t.assigned_at = at(0.05, 0.6);
        t.changed_at = t.assigned_at;
        t.changed_by = chance(rng, 0.8) ? t.op : a.other_member(t.group, t.op);
        const double who = uniform(rng, 0, 1);
        t.closed_by = who < 0.85 ? t.op : who < 0.97 ? a.other_member(t.group, t.op) : kAdmin;
    } else {
        t.closed_by = chance(rng, 0.95) ? a.member_of(t.group) : kAdmin;
    }
    if (t.priority != t.initial_priority && t.changed_at == 0) {
        t.changed_at = at(0.02, 0.3);
        t.changed_by = a.member_of(t.group);
    }
    if (chance(rng, 0.06)) {
        const auto extra = a.other_member(t.group, t.op);
        if (extra != t.op && extra != t.closed_by) t.extra_handler = extra;
    }
}

void settle_open(SeedTicket& t, Assigner& a, Rng& rng, std::int64_t now) {
    const double age = static_cast<double>(now - t.created_at);
    const auto at = [&](double lo, double hi) {
        return t.created_at +
               std::max<std::int64_t>(1, static_cast<std::int64_t>(uniform(rng, lo, hi) * age));
    };
    if (chance(rng, 0.4)) {
        t.op = a.member_of(t.group);
        t.assigned_at = at(0.1, 0.9);
        t.changed_at = t.assigned_at;
        t.changed_by = chance(rng, 0.8) ? t.op : a.other_member(t.group, t.op);
    } else if (t.priority != t.initial_priority) {
        t.changed_at = at(0.1, 0.9);
        t.changed_by = a.member_of(t.group);
    }
}

bool focus_sees(const DataSet& d, const SeedTicket& t) {
    return t.group == static_cast<std::int16_t>(d.options.groups - 1) || t.op == d.focus;
}

/// Makes the focus operator's queue exactly options.focus_visible tickets: moves surplus
/// tickets of their group to others, or assigns tickets of other groups (and some with no
/// group) to them.
void arrange_focus(DataSet& d, Assigner& a, Rng& rng) {
    if (d.focus < 0) return;
    std::vector<SeedTicket*> seen, unseen;
    for (auto& t : d.tickets) {
        if (t.status != Status::open) continue;
        (focus_sees(d, t) ? seen : unseen).push_back(&t);
    }
    const std::size_t target = d.options.focus_visible;
    std::shuffle(seen.begin(), seen.end(), rng);
    std::shuffle(unseen.begin(), unseen.end(), rng);
    for (std::size_t i = 0; i < seen.size() && seen.size() - i > target; ++i) {
        SeedTicket& t = *seen[i];
        t.group = static_cast<std::int16_t>(pick_index(rng, d.options.groups - 1));
        if (t.op != kNobody) t.op = t.changed_by = a.member_of(t.group);
    }
    const double now = static_cast<double>(d.now);
    for (std::size_t i = 0; seen.size() + i < target && i < unseen.size(); ++i) {
        SeedTicket& t = *unseen[i];
        t.op = static_cast<std::int16_t>(d.focus);
        if (chance(rng, 0.2)) t.group = -1;  // filed without a group and given to them
        t.assigned_at =
            t.created_at +
            std::max<std::int64_t>(
                1, static_cast<std::int64_t>(uniform(rng, 0.1, 0.9) *
                                             (now - static_cast<double>(t.created_at))));
        t.changed_at = t.assigned_at;
        t.changed_by = chance(rng, 0.5) ? kAdmin : a.member_of(t.group < 0 ? 0 : t.group);
    }
}

/// The focus operator also handled some history outside their group (tickets given to
/// them from elsewhere, as their queue has now): about 15 % of what their group closed, so
/// their history view is their group's plus handled tickets, as for any operator.
void arrange_focus_history(DataSet& d, Rng& rng) {
    if (d.focus < 0) return;
    const auto focus_group = static_cast<std::int16_t>(d.options.groups - 1);
    std::size_t in_group = 0, elsewhere = 0;
    for (const auto& t : d.tickets) {
        if (t.status != Status::closed) continue;
        ++(t.group == focus_group ? in_group : elsewhere);
    }
    if (elsewhere == 0) return;
    const double share = 0.15 * static_cast<double>(in_group) / static_cast<double>(elsewhere);
    const auto focus = static_cast<std::int16_t>(d.focus);
    for (auto& t : d.tickets) {
        if (t.status != Status::closed || t.group == focus_group || !chance(rng, share)) continue;
        if (t.op == kNobody) {
            // Assigned to them by the update that also changed the priority, if there was one.
            if (t.changed_at == 0)
                t.changed_at =
                    t.created_at + std::max<std::int64_t>(1, (t.closed_at - t.created_at) / 3);
            t.assigned_at = t.changed_at;
        }
        t.op = focus;
        if (t.assigned_at == t.changed_at) t.changed_by = focus;
        if (chance(rng, 0.8)) t.closed_by = focus;
        if (t.extra_handler == focus) t.extra_handler = kNobody;
    }
}

}  // namespace

const char* priority_name(std::uint8_t priority) {
    static constexpr std::array<const char*, 4> kNames = {"low", "medium", "high", "urgent"};
    return kNames[std::min<std::size_t>(priority, 3)];
}

DataSet generate(const SeedOptions& options) {
    if (options.days < 1 || options.open_hours <= 0 ||
        options.open_hours * static_cast<double>(kHour) >= static_cast<double>(options.ticket_ttl))
        throw std::invalid_argument("--days must be >= 1 and --open-hours within the ticket TTL");
    if (options.requesters == 0 || options.one_off_share < 0 || options.one_off_share > 1 ||
        options.expired_share < 0 || options.expired_share > 1)
        throw std::invalid_argument("--requesters must be > 0, the shares from 0 to 1");
    DataSet d;
    d.options = options;
    d.now = options.now != 0 ? options.now : static_cast<std::int64_t>(std::time(nullptr));
    Rng rng(options.seed);
    make_team(d, rng);

    // When each ticket was filed and how it ended, then numbers in filing order.
    const std::int64_t history_from = d.now - static_cast<std::int64_t>(options.days) * kDay;
    const std::int64_t ttl = options.ticket_ttl;
    d.tickets.reserve(options.open + options.closed);
    std::lognormal_distribution<double> to_close(std::log(45.0 * 60), 1.4);  // median 45 min
    for (std::size_t i = 0; i < options.closed; ++i) {
        SeedTicket t;
        t.created_at = draw_time(rng, history_from, d.now - 120, history_from, d.now);
        if (chance(rng, options.expired_share) && t.created_at + ttl + 2 < d.now) {
            t.status = Status::expired;
            t.closed_at = t.created_at + ttl + pick_index<std::int64_t>(rng, 2);  // the next sweep
        } else {
            t.status = Status::closed;
            // Closed within the TTL (later, the sweeper would have expired it), before now.
            const auto took =
                std::clamp<std::int64_t>(static_cast<std::int64_t>(to_close(rng)), 60, ttl - 60);
            t.closed_at = t.created_at + took;
            if (t.closed_at > d.now - 5)
                t.closed_at =
                    t.created_at + 1 + pick_index<std::int64_t>(rng, d.now - 6 - t.created_at);
        }
        d.tickets.push_back(t);
    }
    const auto open_from =
        d.now - static_cast<std::int64_t>(options.open_hours * static_cast<double>(kHour));
    for (std::size_t i = 0; i < options.open; ++i) {
        SeedTicket t;
        t.created_at = draw_time(rng, open_from, d.now - 30, history_from, d.now);
        d.tickets.push_back(t);
    }
    std::stable_sort(
        d.tickets.begin(), d.tickets.end(),
        [](const SeedTicket& a, const SeedTicket& b) { return a.created_at < b.created_at; });

    // Requesters: a pool of people who come back, most of them rarely and a few (shared
    // mailboxes, the office manager) hundreds of times; and one-off requesters.
    EmailMaker emails(rng);
    d.requesters.reserve(
        options.requesters +
        static_cast<std::size_t>(options.one_off_share * static_cast<double>(d.tickets.size())));
    for (std::size_t i = 0; i < options.requesters; ++i)
        d.requesters.push_back({emails.next(), 0, 0});
    std::vector<double> pool_weights(options.requesters);
    for (std::size_t i = 0; i < options.requesters; ++i)
        pool_weights[i] = 1.0 / std::pow(static_cast<double>(i) + 6.0, 0.9);
    const auto pool_cdf = cumulative(pool_weights);

    std::vector<double> group_weights;
    for (const auto& g : d.groups) group_weights.push_back(g.weight * (1 - kNoGroupShare));
    group_weights.push_back(kNoGroupShare);  // the last index: no group
    const auto group_cdf = cumulative(group_weights);

    Assigner assigner{d, rng};
    std::int64_t number = 1000;
    for (auto& t : d.tickets) {
        t.number = ++number;
        std::uint32_t who;
        if (chance(rng, options.one_off_share)) {
            who = static_cast<std::uint32_t>(d.requesters.size());
            d.requesters.push_back({emails.next(), 0, 0});
        } else {
            who = static_cast<std::uint32_t>(draw(rng, pool_cdf));
        }
        auto& r = d.requesters[who];
        if (r.devices == 0) {
            // A device registers just before its first ticket; some people use two.
            r.first_device = static_cast<std::uint32_t>(d.devices.size());
            r.devices = who < options.requesters && chance(rng, 0.12) ? 2 : 1;
            for (int k = 0; k < r.devices; ++k)
                d.devices.push_back(
                    {who, t.created_at - 60 - pick_index<std::int64_t>(rng, 1800), 0});
        }
        t.requester = who;
        t.device = r.first_device + (r.devices > 1 ? pick_index<std::uint32_t>(rng, 2) : 0);
        auto& device = d.devices[t.device];
        device.created_at = std::min(device.created_at, t.created_at - 60);
        device.last_seen_at =
            std::max(device.last_seen_at, t.status == Status::open
                                              ? d.now - pick_index<std::int64_t>(rng, 900)
                                              : t.created_at + 5);
        t.capitalised = chance(rng, 0.03);

        const auto g = draw(rng, group_cdf);
        t.group = g == d.groups.size() ? std::int16_t{-1} : static_cast<std::int16_t>(g);
        t.priority = draw_priority(rng);
        // The profile's default (medium) unless the customer chose; an operator changed it.
        t.initial_priority = chance(rng, 0.8) ? t.priority : std::uint8_t{1};
        if (t.status == Status::open)
            settle_open(t, assigner, rng, d.now);
        else
            settle_history(t, assigner, rng, ttl);
    }
    arrange_focus(d, assigner, rng);
    arrange_focus_history(d, rng);
    return d;
}

}  // namespace helpline::bench::seed
