#include <cstdlib>
#include <ctime>

#include "tests/gui/env_vars.h"

namespace helpline::gui::test {

void set_env(const char* name, const char* value) {
    ::setenv(name, value, 1);
}

void unset_env(const char* name) {
    ::unsetenv(name);
}

void reread_time_zone() {
    ::tzset();
}

}  // namespace helpline::gui::test
