// Java output: a compile source root in the configured package; other targets' kernels: resources in the jar
def gen = new File(basedir, 'target/generated-sources/xlstm/it/cells')
assert new File(gen, 'DecayCell.java').isFile()
assert new File(gen, 'ScaleRowsKernel.java').isFile()
assert new File(gen, 'DecayCellGrad.java').text.contains('package it.cells;')
assert new File(basedir, 'target/classes/it/cells/DecayCellGrad.class').isFile()
assert new File(basedir, 'target/classes/it/cells/ScaleRowsKernelGrad.class').isFile()
assert new File(gen, 'DecayCell.java').text.contains('package it.cells;')
assert !new File(basedir, 'target/generated-sources/xlstm/xlstm/generated').exists()
assert new File(basedir, 'target/classes/it/cells/DecayCell.class').isFile()
assert new File(basedir, 'target/classes/it/App.class').isFile()
def res = new File(basedir, 'target/generated-resources/xlstm')
if (res.exists()) {
    res.eachFileRecurse(groovy.io.FileType.FILES) { f ->
        def rel = res.toPath().relativize(f.toPath()).toString()
        assert new File(basedir, 'target/classes/' + rel).isFile() : "kernel source ${rel} is not a resource"
    }
}
def log = new File(basedir, 'build.log').text
assert log.contains('xlstm: 2 source file(s) -> 4 Java and')
assert log.contains('xlstm: 2 source file(s) unchanged')
return true
