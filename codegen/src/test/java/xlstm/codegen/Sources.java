package xlstm.codegen;

import xlstm.dsl.Dsl;
import xlstm.dsl.ir.CellIR;
import xlstm.dsl.ir.IrModule;

import java.nio.file.Files;
import java.nio.file.Path;

/** The cells of the project (copied here so codegen tests do not depend on the generated module's tree). */
final class Sources {
    private Sources() {}

    static final String MLSTM = """
            cell mlstm(DQK, DV) {
              input  q: vec[DQK], k: vec[DQK], v: vec[DV], i: scalar, f: scalar
              state  C: mat[DQK, DV] = 0, n: vec[DQK] = 0, m: scalar = 0
              output h: vec[DV]
              param  eps = 1e-6
              step {
                lf = logsigmoid(f)
                m' = max(lf + m, i)
                fg = exp(lf + m - m')
                ig = exp(i - m')
                C' = fg * C + ig * outer(k, v)
                n' = fg * n + ig * k
                qs = q * rsqrt(DQK)
                h  = matvec(qs, C') / (max(abs(dot(qs, n')), exp(-m')) + eps)
              }
            }
            """;

    static final String MLSTM_SIG = """
            cell mlstm_sig(DQK, DV) {
              input  q: vec[DQK], k: vec[DQK], v: vec[DV], i: scalar, f: scalar
              state  C: mat[DQK, DV] = 0, n: vec[DQK] = 0
              output h: vec[DV]
              param  eps = 1e-6, normalize: bool = true
              step {
                fg = exp(logsigmoid(f))
                ig = exp(logsigmoid(i))
                C' = fg * C + ig * outer(k, v)
                n' = fg * n + ig * k
                qs = q * rsqrt(DQK)
                h  = where(normalize, matvec(qs, C') / (max(abs(dot(qs, n')), 1) + eps), matvec(qs, C'))
              }
            }
            """;

    static final String SLSTM = """
            cell slstm(DH) {
              input  xi: vec[DH], xf: vec[DH], xz: vec[DH], xo: vec[DH]
              weight Ri: mat[DH, DH], Rf: mat[DH, DH], Rz: mat[DH, DH], Ro: mat[DH, DH]
              weight bi: vec[DH], bf: vec[DH], bz: vec[DH], bo: vec[DH]
              state  y: vec[DH] = 0, c: vec[DH] = 0, n: vec[DH] = 0, m: vec[DH] = 0
              output h: vec[DH]
              step {
                iraw = xi + matvec(Ri, y) + bi
                fraw = xf + matvec(Rf, y) + bf
                zraw = xz + matvec(Rz, y) + bz
                oraw = xo + matvec(Ro, y) + bo
                lfm  = m + logsigmoid(fraw)
                m'   = where(all_zero(n), iraw, max(iraw, lfm))
                ig   = min(exp(iraw - m'), 1)
                fg   = min(exp(lfm - m'), 1)
                c'   = fg * c + ig * tanh(zraw)
                n'   = fg * n + ig
                y'   = sigmoid(oraw) * c' / n'
                h    = y'
              }
            }
            """;

    static CellIR cell(String text) {
        IrModule m = Dsl.compile("test.xl", text);
        return m.units().getFirst();
    }

    /** The real sources of the generated module, when this checkout has them. */
    static Path projectSources() {
        Path p = Path.of("..", "generated", "src", "main", "xlstm");
        return Files.isDirectory(p) ? p : null;
    }
}
