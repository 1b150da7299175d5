# Sourced by testkit's bench scripts (bench-federation.sh, bench-journal.sh): one way to build the
# test classpath and run a benchmark main from testkit/src/test/java/dev/pando/it/bench/.
#
#   run_testkit_bench NAME MAIN_CLASS [JVM options...]
#
# Builds unless SKIP_BUILD is set (MVN_ARGS="-o" builds offline), runs MAIN_CLASS with -Xmx2g and
# the options, prints its output and keeps it in testkit/target/bench/NAME-<time>.out, with the
# last line (the whole result as JSON) beside it as .json. Run from the repository root.
run_testkit_bench() {
  local name="$1" main="$2"
  shift 2
  if [ -z "${SKIP_BUILD:-}" ]; then
    # shellcheck disable=SC2086
    mvn -B -q ${MVN_ARGS:-} -pl testkit -am test-compile dependency:build-classpath \
        -Dmdep.outputFile=target/bench.cp -Dmdep.includeScope=test
  fi
  local cp="testkit/target/test-classes:testkit/target/classes:$(cat testkit/target/bench.cp)"
  mkdir -p testkit/target/bench
  local out
  out="testkit/target/bench/$name-$(date +%Y%m%d-%H%M%S).out"
  java -Xmx2g -cp "$cp" "$@" "$main" | grep -v '^admin token' | tee "$out"
  tail -n 1 "$out" > "${out%.out}.json"
}
