package xlstm.runtime.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import xlstm.generated.SoftcapRowsKernel;
import xlstm.runtime.tensor.Tensor;

/**
 * The public launcher of any folder's OpenCL kernels (what a user's own cells run through; the custom-cell example
 * runs its cell with it): a kernel called by name with the Java entry point's arguments, the errors of a wrong call,
 * a folder without kernels. Skipped with the reason without OpenCL; a failure with {@code XLSTM_REQUIRE_TOOLCHAINS=1}.
 */
class OpenClLauncherTest {
    @BeforeEach
    void requireOpenCl() {
        String why = OpenClLauncher.unavailableReason(OpenClKernels.FOLDER);
        if (why != null) {
            if ("1".equals(System.getenv("XLSTM_REQUIRE_TOOLCHAINS"))) fail("XLSTM_REQUIRE_TOOLCHAINS=1 but " + why);
            System.err.println("SKIPPED OpenClLauncherTest: " + why);
            Assumptions.abort(why);
        }
    }

    @Test
    void runsAnEntryByNameWithTheJavaArguments() {
        OpenClLauncher cl = OpenClLauncher.forFolder(OpenClKernels.FOLDER);
        assertSame(cl, OpenClLauncher.forFolder(OpenClKernels.FOLDER), "one launcher per folder");
        assertEquals(KernelIndex.load(OpenClKernels.FOLDER).size(), cl.index().size());
        int rows = 3, n = 10;
        Tensor x = Tensor.zeros(rows, n), yJava = Tensor.zeros(rows, n), yCl = Tensor.zeros(rows, n);
        for (long j = 0; j < x.numel(); j++) x.setFloat(j, (float) (j * 0.7 - 9));
        SoftcapRowsKernel.apply(rows, n, x.data(), yJava.data(), 5f);
        cl.call("softcap_rows_apply", rows, n, x.data(), yCl.data(), 5f);
        for (long j = 0; j < x.numel(); j++) assertEquals(yJava.getFloat(j), yCl.getFloat(j), 1e-5f, "y[" + j + "]");
    }

    @Test
    void aWrongCallNamesWhatIsWrong() {
        OpenClLauncher cl = OpenClLauncher.forFolder(OpenClKernels.FOLDER);
        Tensor x = Tensor.zeros(2, 4), y = Tensor.zeros(2, 4);
        String unknown = assertThrows(IllegalArgumentException.class, () -> cl.call("no_such_apply", 2, 4)).getMessage();
        assertTrue(unknown.contains("no_such_apply is not in xlstm/generated/opencl/index.tsv")
                && unknown.contains("softcap_rows_apply"), unknown);
        String count = assertThrows(IllegalArgumentException.class,
                () -> cl.call("softcap_rows_apply", 2, 4, x.data(), y.data())).getMessage();
        assertTrue(count.contains("takes 5 arguments and a scratch buffer") && count.contains("the call has 4"), count);
        String kind = assertThrows(IllegalArgumentException.class,
                () -> cl.call("softcap_rows_apply", 2, 4, x.data(), y.data(), 5.0)).getMessage();
        assertTrue(kind.contains("argument 4 (float cap) cannot take a Double"), kind);
    }

    @Test
    void aFolderWithoutKernelsIsUnavailableWithTheReason() {
        assertNull(KernelIndex.load("no/such/folder/opencl"));
        String why = OpenClLauncher.unavailableReason("no/such/folder/opencl");
        assertTrue(why.contains("no/such/folder/opencl/index.tsv is not on the class path"), why);
        String thrown = assertThrows(IllegalStateException.class,
                () -> OpenClLauncher.forFolder("no/such/folder/opencl")).getMessage();
        assertEquals(why, thrown);
    }
}
