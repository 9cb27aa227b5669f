def log = new File(basedir, 'build.log').text
// the diagnostic, logged as an error and in the failure message
assert log =~ /(?m)^\[ERROR\] .*broken\.xl:7:\d+: unknown name 'undefined_gain'/
assert log.contains('xlstm: 1 error in the DSL sources:')
// no stack trace
assert !(log =~ /(?m)^\s+at [a-z]/)
assert !log.contains('DslException')
return true
