#include "server/api/metrics.h"

#include <fmt/format.h>

namespace helpline::server {

void Metrics::count_request(int status) {
    std::lock_guard lock(mutex_);
    ++requests_by_status_[status];
}

std::string Metrics::render(const Gauges& g) const {
    std::string out;
    out += "# HELP helpline_http_requests_total HTTP requests answered, by status code.\n";
    out += "# TYPE helpline_http_requests_total counter\n";
    {
        std::lock_guard lock(mutex_);
        for (const auto& [status, n] : requests_by_status_)
            out += fmt::format("helpline_http_requests_total{{code=\"{}\"}} {}\n", status, n);
    }
    const auto counter = [&](const char* name, const char* help, std::int64_t v) {
        out += fmt::format("# HELP {0} {1}\n# TYPE {0} counter\n{0} {2}\n", name, help, v);
    };
    const auto gauge = [&](const char* name, const char* help, std::int64_t v) {
        out += fmt::format("# HELP {0} {1}\n# TYPE {0} gauge\n{0} {2}\n", name, help, v);
    };
    counter("helpline_tickets_submitted_total", "Tickets created by submissions.", tickets_submitted.load());
    counter("helpline_connection_requests_total", "Connection requests created.", connection_requests.load());
    counter("helpline_logins_failed_total", "Failed operator logins.", logins_failed.load());
    counter("helpline_emails_sent_total", "Emails the SMTP relay took.", emails_sent.load());
    counter("helpline_emails_failed_total", "Emails that failed for good (5xx, or retried for two days).",
            emails_failed.load());
    counter("helpline_email_retries_total", "Email attempts that failed for now and will be tried again.",
            email_retries.load());
    gauge("helpline_open_tickets", "Open tickets in the queue.", g.open_tickets);
    gauge("helpline_connected_devices", "Devices with an open event stream.", g.connected_devices);
    gauge("helpline_pending_connection_requests", "Connection requests awaiting the customer.",
          g.pending_connection_requests);
    gauge("helpline_console_streams", "Open operator console event streams.", g.console_streams);
    return out;
}

}  // namespace helpline::server
