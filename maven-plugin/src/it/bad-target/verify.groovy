def log = new File(basedir, 'build.log').text
assert log.contains("xlstm: unknown target 'vulkan' (known: java")
assert !(log =~ /(?m)^\s+at [a-z]/)
return true
