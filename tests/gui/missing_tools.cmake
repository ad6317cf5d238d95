# Stands in for a GUI test whose tools are not installed: the test fails and says what to
# install, instead of passing or not existing (a skip must never look like a pass).
# usage: cmake -DTEST=name -DMISSING="xvfb-run;xdotool" -P missing_tools.cmake
message(FATAL_ERROR
  "${TEST} cannot run: ${MISSING} not found. Install the GUI test tools with "
  "'sudo apt-get install -y xvfb xauth xdotool imagemagick x11vnc' (scripts/test does), "
  "then configure again.")
