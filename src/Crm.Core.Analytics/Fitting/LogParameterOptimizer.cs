namespace Crm.Core.Analytics.Fitting;

/// <summary>
/// Minimises a smooth objective over strictly positive parameters by optimising their logarithms: BFGS with a
/// backtracking line search, then Newton polishing with a Hessian differenced from the analytic gradient, then a
/// check that the gradient really is zero. The polish is what makes fits agree with reference maximum-likelihood
/// estimates to well below 1e-4 relative; a loose BFGS stop alone leaves errors of that order.
/// </summary>
internal static class LogParameterOptimizer
{
    /// <summary>Objective on natural-scale parameters; fills the natural-scale gradient and returns the value.</summary>
    public delegate double Objective(ReadOnlySpan<double> parameters, Span<double> gradient);

    /// <summary>Minimises <paramref name="objective"/> from <paramref name="start"/> (natural scale).</summary>
    /// <param name="model">The model name, for the failure message.</param>
    /// <param name="names">The parameter names, for the failure message.</param>
    /// <param name="objective">The objective.</param>
    /// <param name="start">Starting values, natural scale, all positive.</param>
    /// <param name="gradientTolerance">Success requires max |gradient| (log scale) at most this.</param>
    /// <param name="maxIterations">The BFGS iteration budget.</param>
    /// <param name="initialHessian">
    /// A log-scale Hessian of a similar problem (e.g. a subsample fit) to seed the BFGS inverse-Hessian approximation
    /// with, instead of the identity; null for the identity.
    /// </param>
    /// <param name="progress">Receives a report after every accepted BFGS step; null for none.</param>
    /// <param name="phase">The phase the reports are labelled with (subsample warm start or full fit).</param>
    public static OptimizerResult Minimize(string model, string[] names, Objective objective, double[] start, double gradientTolerance, int maxIterations, double[,]? initialHessian = null,
        IProgress<FitProgress>? progress = null, FitPhase phase = FitPhase.Full)
    {
        var n = start.Length;
        var x = start.Select(v => Math.Log(v)).ToArray();
        var g = new double[n];
        var f = Evaluate(objective, x, g);
        var iterations = 0;
        if (!double.IsFinite(f) || !AllFinite(g))
        {
            throw Fail(model, names, x, f, g, iterations, "the likelihood is not defined at the starting values; check the data for impossible rows.");
        }

        // BFGS on the inverse Hessian approximation.
        var h = initialHessian is null ? Identity(n) : Inverse(initialHessian) ?? Identity(n);
        var xNew = new double[n];
        var gNew = new double[n];
        var direction = new double[n];
        // BFGS only needs to get close: at |g| ≤ 1e-6 the Newton polish below converges in one or two steps, whereas
        // BFGS near machine precision accepts steps that no longer change f and stalls.
        var bfgsTolerance = Math.Max(gradientTolerance, 1e-6);
        while (MaxAbs(g) > bfgsTolerance && iterations < maxIterations)
        {
            iterations++;
            for (var i = 0; i < n; i++)
            {
                direction[i] = 0;
                for (var j = 0; j < n; j++)
                {
                    direction[i] -= h[i, j] * g[j];
                }
            }
            var slope = Dot(direction, g);
            if (slope >= 0)
            {
                // Lost descent (numerical noise in the update): restart from steepest descent.
                h = Identity(n);
                for (var i = 0; i < n; i++)
                {
                    direction[i] = -g[i];
                }
                slope = Dot(direction, g);
            }
            // Cap the step at one log unit (a factor e) per iteration: early BFGS steps taken from a unit Hessian
            // otherwise jump onto the a, b → ∞ ridge of the BG/NBD likelihood and crawl along it.
            var maxStep = MaxAbs(direction);
            var step = maxStep > 1 ? 1 / maxStep : 1.0;
            double fNew;
            var accepted = false;
            for (var k = 0; k < 60; k++)
            {
                for (var i = 0; i < n; i++)
                {
                    xNew[i] = x[i] + step * direction[i];
                }
                fNew = Evaluate(objective, xNew, gNew);
                if (double.IsFinite(fNew) && AllFinite(gNew) && fNew < f && fNew <= f + 1e-4 * step * slope)
                {
                    accepted = true;
                    UpdateInverseHessian(h, xNew, x, gNew, g);
                    Array.Copy(xNew, x, n);
                    Array.Copy(gNew, g, n);
                    f = fNew;
                    break;
                }
                step *= 0.5;
            }
            if (!accepted)
            {
                break; // at the limit of floating-point progress; the Newton polish decides
            }
            progress?.Report(new FitProgress(model, phase, iterations, f, MaxAbs(g)));
            if (x.Any(v => Math.Abs(v) > 700))
            {
                throw Fail(model, names, x, f, g, iterations, "a parameter ran off to zero or infinity, so the data do not identify the model (too few customers or repeat purchases?).");
            }
        }

        // Newton polish: quadratic convergence from wherever BFGS stopped. The last Hessian is returned for the
        // standard errors: at |g| ≤ 1e-6 the final step moves the parameters too little to change it.
        var polishSteps = 0;
        double[,]? hessian = null;
        while (polishSteps < 8 && MaxAbs(g) > gradientTolerance * 1e-3)
        {
            polishSteps++;
            hessian = Hessian(objective, x, n);
            if (!TrySolve(hessian, g, direction))
            {
                break;
            }
            var step = 1.0;
            var improved = false;
            for (var k = 0; k < 30; k++)
            {
                for (var i = 0; i < n; i++)
                {
                    xNew[i] = x[i] - step * direction[i];
                }
                var fNew = Evaluate(objective, xNew, gNew);
                if (double.IsFinite(fNew) && AllFinite(gNew) && (fNew < f || (fNew <= f + 1e-12 * Math.Abs(f) && MaxAbs(gNew) < MaxAbs(g))))
                {
                    Array.Copy(xNew, x, n);
                    Array.Copy(gNew, g, n);
                    f = fNew;
                    improved = true;
                    break;
                }
                step *= 0.5;
            }
            if (!improved)
            {
                break;
            }
        }

        var gradientNorm = MaxAbs(g);
        if (!(gradientNorm <= gradientTolerance))
        {
            throw Fail(model, names, x, f, g, iterations, iterations >= maxIterations
                ? "the iteration limit was reached before the gradient vanished; raise MaxIterations or check the data."
                : "the optimiser could not reduce the gradient to zero (a flat or ill-conditioned likelihood); try a small penaliser.");
        }
        return new OptimizerResult(x.Select(v => Math.Exp(v)).ToArray(), f, gradientNorm, iterations + polishSteps, hessian ?? Hessian(objective, x, n));
    }

    /// <summary>
    /// The standard errors from the observed information: the inverse Hessian of −LL. Differenced on the log scale
    /// (better conditioned) and mapped back: at the optimum, Var(θ) = θ² · Var(log θ).
    /// </summary>
    public static double[] StandardErrors(OptimizerResult result, double n)
    {
        var parameters = result.Parameters;
        var k = parameters.Length;
        var hessian = result.LogHessian;
        var errors = new double[k];
        var unit = new double[k];
        var column = new double[k];
        for (var i = 0; i < k; i++)
        {
            Array.Clear(unit);
            unit[i] = 1;
            errors[i] = TrySolve(hessian, unit, column)
                ? parameters[i] * Math.Sqrt(column[i] / n)
                : double.NaN; // singular information: the parameter is not identified; reported, not thrown
        }
        return errors;
    }

    /// <summary>Hessian of the objective on the log scale, by central differences of the analytic gradient.</summary>
    public static double[,] Hessian(Objective objective, double[] logX, int n)
    {
        var hessian = new double[n, n];
        var plus = new double[n];
        var minus = new double[n];
        var shifted = (double[])logX.Clone();
        for (var j = 0; j < n; j++)
        {
            const double h = 1e-5;
            shifted[j] = logX[j] + h;
            Evaluate(objective, shifted, plus);
            shifted[j] = logX[j] - h;
            Evaluate(objective, shifted, minus);
            shifted[j] = logX[j];
            for (var i = 0; i < n; i++)
            {
                hessian[i, j] = (plus[i] - minus[i]) / (2 * h);
            }
        }
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < i; j++)
            {
                var mean = 0.5 * (hessian[i, j] + hessian[j, i]);
                hessian[i, j] = mean;
                hessian[j, i] = mean;
            }
        }
        return hessian;
    }

    /// <summary>Solves <paramref name="a"/> · result = <paramref name="b"/> by Cholesky; false unless positive definite.</summary>
    public static bool TrySolve(double[,] a, double[] b, double[] result)
    {
        var n = b.Length;
        var l = new double[n, n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j <= i; j++)
            {
                var sum = a[i, j];
                for (var k = 0; k < j; k++)
                {
                    sum -= l[i, k] * l[j, k];
                }
                if (i == j)
                {
                    if (!(sum > 0))
                    {
                        return false;
                    }
                    l[i, i] = Math.Sqrt(sum);
                }
                else
                {
                    l[i, j] = sum / l[j, j];
                }
            }
        }
        var y = new double[n];
        for (var i = 0; i < n; i++)
        {
            var sum = b[i];
            for (var k = 0; k < i; k++)
            {
                sum -= l[i, k] * y[k];
            }
            y[i] = sum / l[i, i];
        }
        for (var i = n - 1; i >= 0; i--)
        {
            var sum = y[i];
            for (var k = i + 1; k < n; k++)
            {
                sum -= l[k, i] * result[k];
            }
            result[i] = sum / l[i, i];
        }
        return true;
    }

    private static double Evaluate(Objective objective, double[] logX, double[] logGradient)
    {
        var n = logX.Length;
        Span<double> natural = stackalloc double[n];
        for (var i = 0; i < n; i++)
        {
            natural[i] = Math.Exp(logX[i]);
            if (!(natural[i] > 0) || double.IsInfinity(natural[i]))
            {
                logGradient.AsSpan().Fill(double.NaN);
                return double.NaN;
            }
        }
        var value = objective(natural, logGradient);
        for (var i = 0; i < n; i++)
        {
            logGradient[i] *= natural[i]; // chain rule: d/d(log θ) = θ · d/dθ
        }
        return value;
    }

    private static void UpdateInverseHessian(double[,] h, double[] xNew, double[] x, double[] gNew, double[] g)
    {
        var n = x.Length;
        var s = new double[n];
        var y = new double[n];
        for (var i = 0; i < n; i++)
        {
            s[i] = xNew[i] - x[i];
            y[i] = gNew[i] - g[i];
        }
        var sy = Dot(s, y);
        if (!(sy > 1e-18))
        {
            return; // curvature condition fails: keep the old approximation rather than lose positive definiteness
        }
        var hy = new double[n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                hy[i] += h[i, j] * y[j];
            }
        }
        var yhy = Dot(y, hy);
        var rho = 1 / sy;
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                h[i, j] += (1 + yhy * rho) * rho * s[i] * s[j] - rho * (hy[i] * s[j] + s[i] * hy[j]);
            }
        }
    }

    private static ModelFitException Fail(string model, string[] names, double[] logX, double f, double[] g, int iterations, string reason)
    {
        var parameters = new Dictionary<string, double>();
        for (var i = 0; i < names.Length; i++)
        {
            parameters[names[i]] = Math.Exp(logX[i]);
        }
        return new ModelFitException(model, reason, parameters, f, MaxAbs(g), iterations);
    }

    private static double[,]? Inverse(double[,] a)
    {
        var n = a.GetLength(0);
        var inverse = new double[n, n];
        var unit = new double[n];
        var column = new double[n];
        for (var j = 0; j < n; j++)
        {
            Array.Clear(unit);
            unit[j] = 1;
            if (!TrySolve(a, unit, column))
            {
                return null;
            }
            for (var i = 0; i < n; i++)
            {
                inverse[i, j] = column[i];
            }
        }
        return inverse;
    }

    private static double[,] Identity(int n)
    {
        var m = new double[n, n];
        for (var i = 0; i < n; i++)
        {
            m[i, i] = 1;
        }
        return m;
    }

    private static double Dot(double[] a, double[] b)
    {
        var s = 0.0;
        for (var i = 0; i < a.Length; i++)
        {
            s += a[i] * b[i];
        }
        return s;
    }

    private static double MaxAbs(double[] v)
    {
        var m = 0.0;
        foreach (var e in v)
        {
            if (double.IsNaN(e))
            {
                return double.NaN;
            }
            m = Math.Max(m, Math.Abs(e));
        }
        return m;
    }

    private static bool AllFinite(double[] v) => Array.TrueForAll(v, double.IsFinite);
}

/// <summary>The optimum found: natural-scale parameters, objective value, max |gradient| (log scale), iterations.</summary>
internal sealed record OptimizerResult(double[] Parameters, double Objective, double GradientNorm, int Iterations, double[,] LogHessian);
