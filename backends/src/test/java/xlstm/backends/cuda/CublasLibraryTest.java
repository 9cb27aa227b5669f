package xlstm.backends.cuda;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Finding cuBLAS without a GPU: a missing library is one line naming it and what needs it. */
class CublasLibraryTest {
    @Test
    void aMissingCublasIsOneClearLine() {
        String before = System.getProperty(CudaLibraries.CUBLAS_PROPERTY);
        System.setProperty(CudaLibraries.CUBLAS_PROPERTY, "libNoSuchCublas.so.9");
        try {
            CudaException e = assertThrows(CudaException.class, CudaLibraries::cublas);
            assertTrue(e.getMessage().startsWith("CUDA: libNoSuchCublas.so.9 not found (the device-resident models"
                    + " multiply with cuBLAS"), e.getMessage());
            assertTrue(e.getMessage().lines().count() == 1, e.getMessage());
        } finally {
            if (before == null) System.clearProperty(CudaLibraries.CUBLAS_PROPERTY);
            else System.setProperty(CudaLibraries.CUBLAS_PROPERTY, before);
        }
    }
}
