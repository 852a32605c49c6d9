"""Write the tutorial notebooks and run them, so that each is saved with its outputs.

Run from the repository root, in the environment where `housing` is installed::

    python notebooks/build.py          # write and run notebooks 01 to 05
    python notebooks/build.py 03 05    # only those whose file name starts with 03 or 05

It builds notebooks 01 to 05. Each is run in a fresh `python3` kernel with
`notebooks/` as its working directory, as `tests/test_notebooks.py` does, and
the time it took is printed. Edit the text here rather than in the .ipynb files, which this script
overwrites.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from textwrap import dedent

import nbformat
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

NOTEBOOK_DIR = Path(__file__).resolve().parent
CELL_TIMEOUT = 120  # seconds

SETUP_COMMANDS = """\
```
python3 -m venv .venv
. .venv/bin/activate
pip install -e ".[notebooks]"
jupyter lab notebooks/
```
Run these once from the root of a clone of the repository. Then open this
notebook and choose *Run All*. It runs top to bottom in well under a minute."""


def md(text: str):
    return new_markdown_cell(dedent(text).strip())


def code(text: str):
    return new_code_cell(dedent(text).strip())


def opening(title: str, summary: str, learn: list[str]) -> list:
    points = "\n".join(f"- {point}" for point in learn)
    return [md(f"# {title}\n\n{dedent(summary).strip()}\n\n**You will learn**\n\n{points}\n\n"
               f"**Setup**\n\n{SETUP_COMMANDS}")]


def exercises(items: list[str]) -> list:
    numbered = "\n".join(f"{index}. {dedent(item).strip()}" for index, item in enumerate(items, 1))
    return [md(f"## Exercises\n\n{numbered}")]


# ----------------------------------------------------------------------
# 01: loss functions by hand
# ----------------------------------------------------------------------


def loss_functions_by_hand() -> list:
    cells = opening(
        "1. Loss functions by hand",
        """
        A loss turns a prediction error into one number that training makes
        smaller. This notebook works every loss of `housing` on a single house
        priced in rupees, by hand first and then with the package, and keeps
        track of the units all the way. Then it plots each loss and its
        gradient against the error, because the gradient is what training
        actually feels.
        """,
        [
            "the residual $r = \\hat y - y$ and why its sign matters",
            "MSE, RMSE, MAE, Huber, log-cosh, quantile, MSLE and MAPE, each with its gradient",
            "why a squared error is in rupees squared, and why RMSE exists",
            "how to check a gradient by finite differences",
            "which loss to choose when",
        ],
    )
    cells += [
        code("""
        %matplotlib inline
        import numpy as np

        from housing.gradcheck import check_loss
        from housing.losses import get_loss
        from housing.money import format_money, format_squared_money
        from housing.plotting import plot_loss_shapes
        from housing.worked_example import worked_example_lines
        """),
        md(r"""
        ## One house

        A house sold for ₹3,37,50,000 (3.375 crore rupees). A model predicted
        ₹3,00,00,000. Everything below is about this one error.

        The **residual** is prediction minus truth,

        $$r = \hat y - y,$$

        so a negative residual means the model priced the house too low. All
        the losses in `housing` use this sign, and every gradient below is
        $\partial L / \partial \hat y$: how much the loss changes when the
        prediction moves up by one rupee.
        """),
        code("""
        actual = np.array([33_750_000.0])     # y, in rupees
        predicted = np.array([30_000_000.0])  # ŷ, in rupees
        residual = predicted - actual         # r = ŷ − y

        print("actual    y =", format_money(actual[0], "INR"))
        print("predicted ŷ =", format_money(predicted[0], "INR"))
        print("residual  r =", format_money(residual[0], "INR"))
        """),
        md(r"""
        ## Mean squared error

        $$\mathrm{MSE} = \frac{1}{N} \sum_{i=1}^{N} r_i^2, \qquad
          \frac{\partial\, \mathrm{MSE}}{\partial \hat y_i} = \frac{2 r_i}{N}.$$

        With one house, $N = 1$ and the MSE is just $r^2$. Look at the unit:
        rupees times rupees is **rupees squared** (₹²). A squared error of
        1.4 × 10¹³ ₹² is not an amount of money, and you cannot compare it with
        a price. The gradient $2r$ is in ₹² per ₹, which is rupees again.

        `get_loss("mse")` returns the loss object of the package. Calling it
        gives the value, and its `gradient` method gives
        $\partial L / \partial \hat y$, already divided by $N$.
        """),
        code("""
        mse = get_loss("mse")
        by_hand = residual[0] ** 2
        value = mse(actual, predicted)

        print("by hand          r² =", format_squared_money(by_hand, "INR"))
        print("housing.losses  MSE =", format_squared_money(value, "INR"),
              "=", format_squared_money(value, "INR", scientific=True))
        print("gradient      dL/dŷ =", format_money(mse.gradient(actual, predicted)[0], "INR"), "(₹² per ₹)")
        """),
        md(r"""
        ## Root mean squared error: back to rupees

        $$\mathrm{RMSE} = \sqrt{\mathrm{MSE}}, \qquad
          \frac{\partial\, \mathrm{RMSE}}{\partial \hat y_i} = \frac{r_i}{N \cdot \mathrm{RMSE}}.$$

        The square root undoes the square, so the RMSE is in rupees and can be
        read as "a typical error". That is the whole reason it exists. For one
        house it equals $|r|$, and its gradient has no unit (₹ per ₹).
        """),
        code("""
        rmse = get_loss("rmse")
        print("RMSE  =", format_money(rmse(actual, predicted), "INR"))
        print("dL/dŷ =", rmse.gradient(actual, predicted)[0], "(unitless)")
        """),
        md(r"""
        ## Mean absolute error

        $$\mathrm{MAE} = \frac{1}{N} \sum_i |r_i|, \qquad
          \frac{\partial\, \mathrm{MAE}}{\partial \hat y_i} = \frac{\operatorname{sign}(r_i)}{N}.$$

        MAE is in rupees too, but its gradient is only the sign of the error:
        a house off by ₹1 crore pulls on the model exactly as hard as one off
        by ₹1 lakh. That is what makes MAE robust to outliers, and also what
        makes it slow to fine-tune, because the pull does not shrink near the
        answer.
        """),
        code("""
        mae = get_loss("mae")
        print("MAE   =", format_money(mae(actual, predicted), "INR"))
        print("dL/dŷ =", mae.gradient(actual, predicted)[0], "(unitless)")
        """),
        md(r"""
        ## Huber: quadratic near zero, linear far away

        $$\ell_\delta(r) = \begin{cases} \tfrac12 r^2 & |r| \le \delta \\
            \delta\,(|r| - \tfrac12 \delta) & |r| > \delta \end{cases}, \qquad
          \ell_\delta'(r) = \operatorname{clip}(r, -\delta, \delta).$$

        The threshold $\delta$ is in **the units of the residual**. Training
        uses the standardised log price, where the default $\delta = 1$ is a
        sensible size. Here we work on raw rupees, so $\delta = 1$ would mean
        one rupee: every error would be in the linear branch and Huber would be
        $|r| - 0.5$, the MAE less half a rupee. A threshold that makes sense
        for prices is a fraction of a typical price, say 10% of it.
        """),
        code("""
        delta = 0.10 * actual.mean()   # ₹33,75,000
        huber = get_loss("huber", delta=delta)
        print("δ                 =", format_money(delta, "INR"))
        print("Huber             =", format_squared_money(huber(actual, predicted), "INR", scientific=True),
              "(|r| > δ: linear branch)")
        print("dL/dŷ             =", format_money(huber.gradient(actual, predicted)[0], "INR"), "(clipped at δ)")

        huber_one_rupee = get_loss("huber", delta=1.0)
        print("Huber with δ = ₹1 =", format_money(huber_one_rupee(actual, predicted), "INR", decimals=1),
              "= MAE − 0.5 =", format_money(mae(actual, predicted) - 0.5, "INR", decimals=1))
        """),
        md(r"""
        ## Log-cosh: a smooth Huber

        $$\ell(r) = \ln\cosh r, \qquad \ell'(r) = \tanh r.$$

        Near zero $\ln\cosh r \approx r^2/2$ and far away
        $\ln\cosh r \approx |r| - \ln 2$. The switch happens around
        $|r| \approx 1$, so, like Huber with $\delta = 1$, it only behaves like
        a smooth Huber on a scaled target. On rupees every residual is huge and
        log-cosh is $|r| - \ln 2$ with gradient $\pm 1$, exactly like MAE.
        The package computes it as $|r| + \log(1 + e^{-2|r|}) - \ln 2$, because
        $\cosh r$ itself overflows above $r \approx 710$.
        """),
        code("""
        logcosh = get_loss("logcosh")
        print("small residual r = 0.5:   loss", round(logcosh([0.0], [0.5]), 7),
              " r²/2 =", 0.5 ** 2 / 2, " gradient tanh(0.5) =", round(logcosh.gradient([0.0], [0.5])[0], 7))
        print("one house, in rupees:     loss", format_money(logcosh(actual, predicted), "INR", decimals=2),
              " |r| − ln 2 =", format_money(abs(residual[0]) - np.log(2), "INR", decimals=2))
        """),
        md(r"""
        ## Quantile (pinball) loss: asking for a percentile

        $$\ell_\tau(y, \hat y) = \max\big(\tau (y - \hat y),\; (\tau - 1)(y - \hat y)\big), \qquad
          \frac{\partial \ell_\tau}{\partial \hat y} = \begin{cases} -\tau & \hat y < y \\ 1 - \tau & \hat y > y \end{cases}.$$

        A price that is too low costs $\tau$ per rupee and a price that is too
        high costs $1 - \tau$. With $\tau = 0.9$ under-pricing is nine times as
        expensive, so the model learns to predict a price that 90% of houses
        like this one sell below: the 90th percentile. With $\tau = 0.5$ it is
        half the MAE and predicts the median. Our house was priced too low:
        """),
        code("""
        for tau in (0.1, 0.5, 0.9):
            quantile = get_loss("quantile", tau=tau)
            print(f"τ = {tau}: loss {format_money(quantile(actual, predicted), 'INR'):>11}, "
                  f"dL/dŷ = {quantile.gradient(actual, predicted)[0]:+.1f}")
        """),
        md(r"""
        ## MSLE and MAPE: relative errors, with no unit

        $$\mathrm{MSLE} = \frac1N \sum_i \big(\ln(1 + \hat y_i) - \ln(1 + y_i)\big)^2, \qquad
          \mathrm{MAPE} = \frac1N \sum_i \frac{|r_i|}{|y_i|}.$$

        A difference of logarithms is the logarithm of a ratio, and a residual
        divided by a price is a fraction: both losses have **no unit**, and
        both score an error relative to the price. Their gradients are per
        rupee of prediction, so they are tiny numbers here.
        """),
        code("""
        msle, mape = get_loss("msle"), get_loss("mape")
        print(f"MSLE = {msle(actual, predicted):.6f}   dL/dŷ = {msle.gradient(actual, predicted)[0]:.3e} per ₹")
        print(f"MAPE = {mape(actual, predicted):.6f} = {100 * mape(actual, predicted):.2f}%"
              f"   dL/dŷ = {mape.gradient(actual, predicted)[0]:.3e} per ₹")
        """),
        md("""
        ## All of it at once: `housing losses`

        The command `housing losses --actual 33750000 --predicted 30000000 --currency INR`
        prints the same working for every loss, with the unit of every line.
        It is built on `housing.worked_example.worked_example_lines`, which a
        notebook can call directly:
        """),
        code("""
        print("\\n".join(worked_example_lines([33_750_000], [30_000_000], currency="INR")))
        """),
        md(r"""
        With several houses every loss is the mean of the per-house terms, and
        every gradient is divided by $N$, just as in training. Here is MSE for
        three houses priced in dollars:
        """),
        code("""
        lines = worked_example_lines([200_000, 150_000, 320_000], [180_000, 165_000, 300_000])
        print("\\n".join(lines[:lines.index("RMSE, root mean squared error")]))
        """),
        md(r"""
        ## Is the gradient right? Central differences

        A hand-written gradient can be checked without any calculus: nudge one
        prediction up and down by a tiny $h$ and watch the loss,

        $$\frac{\partial L}{\partial \hat y_i} \approx \frac{L(\hat y + h e_i) - L(\hat y - h e_i)}{2h}.$$

        `housing.gradcheck.check_loss` does this for every element and returns
        the relative error between the two gradients. Below $10^{-7}$ means
        they agree. The point is chosen away from the kinks (0 for MAE and
        quantile, $\pm\delta$ for Huber), where a finite difference straddles
        two slopes.
        """),
        code("""
        y_true = np.array([[1.0], [2.0], [3.0]])
        y_pred = np.array([[1.4], [1.3], [3.9]])   # residuals 0.4, −0.7, 0.9
        for name, params in [("mse", {}), ("rmse", {}), ("mae", {}), ("huber", {"delta": 0.5}),
                             ("logcosh", {}), ("quantile", {"tau": 0.9}), ("msle", {}), ("mape", {})]:
            error = check_loss(get_loss(name, **params), y_true, y_pred)
            print(f"{name:<9} relative error {error:.1e}")
        """),
        md("""
        ## Each loss and its gradient against the residual

        The top panel is the loss of one sample and the bottom panel its
        gradient, both against the residual in training units. The bottom panel
        is what matters for outliers: the gradient is how hard a sample pulls
        on the weights. For MSE it grows without limit, so one house off by a
        factor of ten can outvote a hundred ordinary ones. For MAE, Huber and
        log-cosh it levels off.
        """),
        code("""
        plot_loss_shapes(["mse", "mae", "huber", "logcosh"])
        """),
        md(r"""
        The quantile loss is MAE tilted: with $\tau = 0.9$ its slope is $-0.9$
        for predictions below the truth and only $+0.1$ above it.
        """),
        code("""
        plot_loss_shapes(["mae", "quantile"], params={"quantile": {"tau": 0.9}})
        """),
        md(r"""
        MSLE and MAPE depend on the price itself, not only on the residual, so
        their shapes are drawn for a house whose price is 1 (prices divided by
        the median, as the package does for these two losses). MAPE is
        symmetric here, but MSLE is steeper below the price, because a log
        falls fast towards zero: pricing a house at half its value costs more
        than pricing it at one and a half times its value.
        """),
        code("""
        plot_loss_shapes(["msle", "mape"], residual_range=(-0.8, 2.0), y_true=1.0)
        """),
        md(r"""
        ## When to choose which

        | loss | unit on prices | choose it when |
        | --- | --- | --- |
        | MSE | ₹² | errors are roughly normal and large errors really are worse; the default |
        | RMSE | ₹ | you want to report a typical error in money (as a metric more than a loss) |
        | MAE | ₹ | the data has outliers or data-entry errors; you want the median |
        | Huber | ₹² | you want MSE's smoothness near the answer and MAE's robustness far away; tune $\delta$ |
        | log-cosh | ≈ ₹ | the same wish as Huber, with no $\delta$ to tune, on a scaled target |
        | quantile | ₹ | you want a percentile, for example a price range from $\tau = 0.1$ and $0.9$ |
        | MSLE | none | relative errors matter: 10% off is as bad on a cheap house as on a dear one |
        | MAPE | none | the business speaks in percentages; beware of prices near zero |
        """),
    ]
    cells += exercises([
        """A flat sold for ₹85,00,000 and the model predicted ₹1,00,00,000. Before running
        anything, write down the residual, the MSE (in ₹²), the RMSE and the MAPE. Then check
        with `housing losses --actual 8500000 --predicted 10000000 --currency INR`.""",
        """Run `worked_example_lines` for one house with `delta` set to 1, to 10% and to 200% of
        the price. Which branch of Huber does each use, and which loss does Huber then equal?""",
        """Break a gradient on purpose: define `class Broken` with `__call__` from MSE and a
        `gradient` that forgets the division by $N$, and pass it to `check_loss` with a batch of
        three. How large is the relative error, and why is it exactly that number?""",
    ])
    return cells


# ----------------------------------------------------------------------
# 02: backpropagation from scratch
# ----------------------------------------------------------------------


def backpropagation() -> list:
    cells = opening(
        "2. Backpropagation from scratch",
        """
        Backpropagation is the chain rule, applied layer by layer from the
        loss back to the first weights. This notebook derives it for one
        neuron with pencil-and-paper numbers, then for one dense layer on a
        batch, then for the whole network, and checks every gradient against
        finite differences on the way.
        """,
        [
            "the chain rule for one neuron, with numbers you can check by hand",
            "the three gradients of a dense layer: $X^\\top\\delta$, $\\sum\\delta$ and $\\delta W^\\top$",
            "how a whole `MLP` passes gradients from the loss to its first layer",
            "how a gradient check catches a bug, and one gradient-descent step",
        ],
    )
    cells += [
        code("""
        %matplotlib inline
        import numpy as np

        from housing.gradcheck import numerical_gradient, relative_error
        from housing.layers import Dense
        from housing.losses import get_loss
        from housing.network import MLP

        mse = get_loss("mse")
        """),
        md(r"""
        ## One neuron, by hand

        One input $x$ (say, living area after standardising), one weight $w$,
        one bias $b$, no activation:

        $$\hat y = w x + b, \qquad L = (\hat y - y)^2 = r^2.$$

        The chain rule splits each derivative into a part the loss knows and a
        part the neuron knows:

        $$\frac{\partial L}{\partial w} = \frac{\partial L}{\partial \hat y}\,\frac{\partial \hat y}{\partial w} = 2r \cdot x,
          \qquad \frac{\partial L}{\partial b} = 2r \cdot 1.$$

        With $x = 0.8$, $w = 0.5$, $b = 0.1$ and $y = 1$: $\hat y = 0.5$,
        $r = -0.5$, so $\partial L/\partial w = 2(-0.5)(0.8) = -0.8$ and
        $\partial L/\partial b = -1$.
        """),
        code("""
        x, w, b, y = 0.8, 0.5, 0.1, 1.0
        y_hat = w * x + b
        r = y_hat - y
        print(f"ŷ = {y_hat:.3f}, r = {r:.3f}, L = {r ** 2:.3f}")
        print(f"dL/dw = 2 r x = {2 * r * x:.3f}    dL/db = 2 r = {2 * r:.3f}")
        """),
        md(r"""
        The same neuron as a `Dense` layer of the package: weights of shape
        `(fan_in, fan_out) = (1, 1)`, identity activation. `forward` caches its
        input; `backward` takes $\partial L/\partial \hat y$ from the loss and
        stores `dW` and `db`. Then the check: `numerical_gradient` nudges the
        weight by $\pm h$ and measures the loss each time.
        """),
        code("""
        layer = Dense(np.array([[w]]), np.array([b]), "identity")
        X, Y = np.array([[x]]), np.array([[y]])

        output = layer.forward(X)                   # (1, 1)
        layer.backward(mse.gradient(Y, output))     # fills layer.dW and layer.db
        numeric_dW = numerical_gradient(lambda: mse(Y, layer.forward(X)), layer.W)
        print("dW:", layer.dW.ravel(), " numeric:", numeric_dW.ravel())
        print("db:", layer.db, " relative error of dW:", relative_error(layer.dW, numeric_dW))
        """),
        md(r"""
        ### Adding an activation

        With a ReLU, $a = \max(z, 0)$ where $z = wx + b$, one more factor joins
        the chain: $\partial a / \partial z$, which is 1 where $z > 0$ and 0
        elsewhere.

        $$\frac{\partial L}{\partial w} = \underbrace{2r}_{\partial L/\partial a}
          \cdot \underbrace{\mathbb 1[z > 0]}_{\partial a/\partial z} \cdot \underbrace{x}_{\partial z/\partial w}.$$

        When $z \le 0$ the neuron is "dead" for this input: no gradient reaches
        $w$ at all. Both cases, checked:
        """),
        code("""
        for bias in (0.1, -1.0):
            relu_layer = Dense(np.array([[w]]), np.array([bias]), "relu")
            output = relu_layer.forward(X)
            relu_layer.backward(mse.gradient(Y, output))
            numeric = numerical_gradient(lambda: mse(Y, relu_layer.forward(X)), relu_layer.W)
            print(f"b = {bias:+.1f}: z = {relu_layer.Z.item():+.2f}, dW = {relu_layer.dW.item():+.3f}, "
                  f"numeric = {numeric.item():+.3f}")
        """),
        md(r"""
        ## One layer, one batch

        A dense layer takes a batch $X$ of shape `(n_samples, fan_in)`:

        $$Z = XW + b, \qquad A = g(Z).$$

        Given the gradient from above, $dA = \partial L / \partial A$, define
        the layer's **delta** $\delta = \partial L/\partial Z = dA \odot g'(Z)$.
        Then three matrix products give everything:

        $$\frac{\partial L}{\partial W} = X^\top \delta, \qquad
          \frac{\partial L}{\partial b} = \sum_{i} \delta_i, \qquad
          \frac{\partial L}{\partial X} = \delta\, W^\top.$$

        The shapes explain the transposes: `(fan_in, n_samples) @ (n_samples, fan_out)`
        is the shape of $W$, and `(n_samples, fan_out) @ (fan_out, fan_in)` is
        the shape of $X$. The sum over samples is there because the same $b$
        is added to every row.

        Below, a tanh layer of 3 inputs and 2 units reads a batch of 4 rows,
        and a fixed column $v$ turns its output into one prediction per row.
        We compute the three gradients with the formulas, compare them with
        the layer's own `backward`, and check all three numerically.
        """),
        code("""
        rng = np.random.default_rng(0)
        X = rng.normal(size=(4, 3))                  # (n_samples, fan_in)
        y = rng.normal(size=(4, 1))
        v = np.array([[1.0], [-2.0]])                # fixed read-out, (fan_out, 1)
        layer = Dense(rng.normal(size=(3, 2)), np.zeros(2), "tanh")

        def loss_of_layer():
            return mse(y, layer.forward(X) @ v)

        A = layer.forward(X)                         # (4, 2)
        dA = mse.gradient(y, A @ v) @ v.T            # (4, 1) @ (1, 2) -> (4, 2)
        delta = dA * (1 - A ** 2)                    # tanh'(Z) = 1 − tanh(Z)²
        by_formula = {"W": X.T @ delta, "b": delta.sum(axis=0), "X": delta @ layer.W.T}

        dX = layer.backward(dA)
        by_layer = {"W": layer.dW, "b": layer.db, "X": dX}
        numeric = {"W": numerical_gradient(loss_of_layer, layer.W),
                   "b": numerical_gradient(loss_of_layer, layer.b),
                   "X": numerical_gradient(loss_of_layer, X)}
        for name in ("W", "b", "X"):
            print(f"d{name}: formula vs backward {relative_error(by_formula[name], by_layer[name]):.1e}, "
                  f"backward vs numeric {relative_error(by_layer[name], numeric[name]):.1e}")
        """),
        md(r"""
        ## The whole network

        An `MLP` is a stack of dense layers. Its `backward` starts from
        $\partial L/\partial \hat y$ and hands each layer's $\partial L/\partial X$
        to the layer below as that layer's $dA$, until the first layer. Every
        weight and bias lives in one flat array, `network.params`, and every
        gradient in `network.grads`, with the same layout; so one numerical
        gradient over `params` checks the whole network at once.

        A network of 5 inputs, hidden layers of 8 and 4 ReLU units and one
        output has $5 \cdot 8 + 8 \cdot 4 + 4 \cdot 1 = 76$ weights and
        $8 + 4 + 1 = 13$ biases:
        """),
        code("""
        rng = np.random.default_rng(0)
        X = rng.normal(size=(6, 5))
        y = rng.normal(size=(6, 1))
        network = MLP(5, (8, 4), 1, rng=np.random.default_rng(42))
        print(network)

        network.backward(mse.gradient(y, network.forward(X)))
        analytic = network.grads.copy()
        numeric = numerical_gradient(lambda: mse(y, network.forward(X)), network.params)
        print(f"whole network: relative error {relative_error(analytic, numeric):.1e}")

        for name, values in network.named_parameters().items():
            start = values.__array_interface__["data"][0] - network.params.__array_interface__["data"][0]
            index = slice(start // values.itemsize, start // values.itemsize + values.size)
            print(f"  {name} {str(values.shape):<8} relative error {relative_error(analytic[index], numeric[index]):.1e}")
        """),
        md(r"""
        ## What a bug looks like

        Every loss of the package returns a gradient that is already divided by
        the batch size $N$, and the layers do not divide again. Forget that
        division once and the gradient is $N$ times too large. The direction is
        still right, so training might even seem to work with a smaller
        learning rate, but the check is not fooled:
        """),
        code("""
        wrong = analytic * len(X)
        print(f"gradient without the 1/N: relative error {relative_error(wrong, numeric):.2f}")
        print(f"(for a gradient k times too large the error is (k − 1)/(k + 1) = {(6 - 1) / (6 + 1):.2f})")
        """),
        md(r"""
        ## One step of gradient descent

        With the gradient in hand, a step against it lowers the loss, as long
        as the step $\eta$ is small enough:

        $$\theta \leftarrow \theta - \eta\, \nabla_\theta L.$$

        This, with mini-batches, an optimizer such as Adam instead of the plain
        step, and weight decay, is what `housing.training.Trainer` repeats.
        """),
        code("""
        before = mse(y, network.forward(X))
        for learning_rate in (0.01, 0.1):
            saved = network.params.copy()
            network.params -= learning_rate * analytic
            print(f"η = {learning_rate}: loss {before:.4f} -> {mse(y, network.forward(X)):.4f}")
            network.params[:] = saved
        """),
    ]
    cells += exercises([
        """Repeat the one-neuron example with the MAE instead of the MSE. What are $\\partial L/\\partial w$
        and $\\partial L/\\partial b$ now, and why do they not depend on the size of the error?""",
        """Build the whole-network check with `activation="sigmoid"` and with `"tanh"`. Does the
        relative error change? Then move one input so that a ReLU unit sits exactly at $z = 0$:
        what happens to the check, and why?""",
        """Take 20 gradient-descent steps with $\\eta = 0.1$ in a loop (recompute the gradient at each
        step) and print the loss. Then try $\\eta = 1$. What do you see?""",
    ])
    return cells


# ----------------------------------------------------------------------
# 03: training on real house prices
# ----------------------------------------------------------------------


def training_on_ames() -> list:
    cells = opening(
        "3. Training on real house prices",
        """
        The Ames data holds 2,930 house sales from Ames, Iowa, with 79 features
        each (De Cock, 2011). Before training anything we look at it with
        pandas, because three traps hide in it: missing values that are not
        missing, prices that are badly skewed, and the temptation to let the
        test set leak into preprocessing. Then we train the package's default
        network, watch its loss curve grow, and read its errors.
        """,
        [
            "how to explore a tabular data set with pandas before modelling it",
            "why NA means \"none\" in Ames, and what the wrong imputation would invent",
            "why the log of the price is the better target",
            "what leakage from the test split is, and how the package avoids it",
            "how to read loss curves and residual plots",
        ],
    )
    cells += [
        code("""
        %matplotlib inline
        import numpy as np
        import pandas as pd
        from matplotlib.figure import Figure

        from housing.datasets import load_ames
        from housing.experiment import Settings, prepare, run, split_data
        from housing.live import LivePlot
        from housing.losses import get_loss
        from housing.money import format_money, money_formatter
        from housing.plotting import plot_loss_curves, plot_predicted_vs_actual, plot_residuals
        from housing.report import metrics_table
        from housing.training import ProgressPrinter
        """),
        md("""
        ## The data

        `load_ames` returns the features as a DataFrame, the sale price as a
        Series, and a `DatasetInfo` with notes about the columns. The
        identifiers `Order` and `PID` are already removed: a parcel number says
        nothing about a price, but a network would happily memorise it.
        """),
        code("""
        X, y, info = load_ames()
        print(info.source)
        print(f"{X.shape[0]:,} sales, {X.shape[1]} features")
        X[["area", "Overall.Qual", "Year.Built", "Neighborhood", "Garage.Type", "Pool.QC"]].head()
        """),
        code("""
        y.describe().map(lambda value: format_money(value) if value > 100 else f"{value:,.0f}")
        """),
        md(r"""
        ## Trap 1: prices are skewed

        Half the houses sold for less than the median of about \$160,000, but a
        long tail reaches \$755,000. Trained on raw prices, a squared loss
        would spend most of its effort on the few dear houses, and a \$20,000
        error would count the same on a \$100,000 house as on a \$600,000 one.
        On the log scale the distribution is nearly symmetric, and an error of
        10% costs the same everywhere, because
        $\ln(1.1\,y) - \ln y = \ln 1.1$ whatever $y$ is. So the package trains
        on $z = (\ln y - \mu)/\sigma$ and converts predictions back to dollars.
        """),
        code("""
        figure = Figure(figsize=(11, 4), layout="constrained")
        raw_axes, log_axes = figure.subplots(1, 2)
        raw_axes.hist(y, bins=60, color="#0072B2")
        raw_axes.xaxis.set_major_formatter(money_formatter("USD"))
        raw_axes.set(title=f"Sale price (skewness {y.skew():.2f})", xlabel="price (USD)", ylabel="houses")
        log_axes.hist(np.log(y), bins=60, color="#009E73")
        log_axes.set(title=f"log of the sale price (skewness {np.log(y).skew():.2f})", xlabel="ln(price)")
        figure
        """),
        md("""
        ## Trap 2: NA that means "none"

        Here are the columns with the most missing values:
        """),
        code("""
        X.isna().sum().sort_values(ascending=False).head(8)
        """),
        md("""
        2,917 of 2,930 houses have no pool quality, because they have no pool.
        The data documentation says so for most of these columns: NA in
        `Pool.QC`, `Alley`, `Fence`, `Garage.Type` and the basement columns
        means the house has none. A generic imputer that fills the most
        frequent category would be badly wrong. Look at the 157 houses with a
        garage area of 0:
        """),
        code("""
        no_garage = X["Garage.Area"] == 0
        most_frequent = X["Garage.Type"].mode()[0]
        print(f"{no_garage.sum()} houses have 0 square feet of garage, and "
              f"{X.loc[no_garage, 'Garage.Type'].isna().sum()} of them have no garage type.")
        print(f"Most-frequent imputation would give all of them an {most_frequent!r} garage.")
        print("Columns where NA means none:", ", ".join(info.none_categorical))
        """),
        md("""
        The package's `FeaturePipeline` makes "None" a category of its own in
        these columns, fills a missing basement or garage area with 0, and uses
        the training median only for numbers that are really unknown (such as
        `Lot.Frontage`).

        While we are looking: five houses have over 4,000 square feet of
        living area. Three of them sold at low prices in partial sales. They
        are real rows, kept in the data on purpose, and they will show up as
        the largest errors.
        """),
        code("""
        figure = Figure(figsize=(7, 4.5), layout="constrained")
        axes = figure.add_subplot()
        large = X["area"] > 4000
        axes.scatter(X.loc[~large, "area"], y[~large], s=6, alpha=0.4, color="#0072B2", label="all other sales")
        axes.scatter(X.loc[large, "area"], y[large], s=40, color="#D55E00", label="over 4,000 sq ft")
        axes.yaxis.set_major_formatter(money_formatter("USD"))
        axes.set(xlabel="living area (square feet)", ylabel="price (USD)", title="Price against living area")
        axes.legend()
        figure
        """),
        md(r"""
        ## Trap 3: leakage from the test split

        The test split exists to estimate how the model does on houses it has
        never seen. Anything fitted on it, even a mean for scaling or a median
        for imputing, lets facts about the test houses into the model, and the
        test score becomes optimistic. So the order is always: **split first**,
        then fit every preprocessing step on the training split alone, then
        apply it to validation and test.

        `split_data` makes a seeded 70/15/15 split, and `prepare` fits the
        feature pipeline and the target transform on the training rows only:
        """),
        code("""
        settings = Settings(seed=42)
        loss = get_loss(settings.loss)
        split = prepare(split_data(X, y, info, settings), settings, loss)
        print(f"training {len(split.y_train):,}, validation {len(split.y_val):,}, test {len(split.y_test):,} rows")
        print(f"features after one-hot encoding: {split.features_train.shape[1]}")
        print(f"mean of ln(price) used for z: training rows {split.target_transform.shift:.5f}, "
              f"all rows (leaky) {np.log(y).mean():.5f}")
        """),
        md("""
        The two means differ by less than 0.01 here, because the split is
        random and large. The habit matters more than this number: with a
        target encoding, a feature selection or a small data set, the same
        mistake can inflate a test score a lot.

        ## Training, live

        `run` trains the network with mini-batches of 64 rows and Adam, scores
        the validation split after every epoch, and stops when it has not
        improved for 20 epochs. `LivePlot(every=5)` redraws the loss curves
        below the cell every 5 epochs while it trains (in a notebook; in a
        terminal, `housing train --live` opens a window instead).
        """),
        code("""
        live = LivePlot(every=5)
        result = run(settings, callbacks=[ProgressPrinter(every=10), live], split=split)
        print(result.history.stop_reason)
        """),
        code("""
        print(metrics_table({"model": result.metrics["test"], "median baseline": result.metrics["baseline"]}, "USD"))
        """),
        md("""
        The baseline predicts the training median for every house; any model
        worth having must beat it by a wide margin, and this one does.

        ## Reading the loss curves

        On a log axis the late epochs are easier to see. Three things to read:

        - **The gap** between the training loss (solid) and the validation
          loss (dashed). Some gap is normal; a gap that keeps widening while
          the validation loss rises is overfitting.
        - **The best epoch** (the dot): early stopping keeps the weights of
          the epoch with the lowest validation loss, not the last ones.
        - **The flattening** of the training loss: the plateau schedule halves
          the learning rate after 5 epochs without improvement (the progress
          lines above show it falling), and smaller steps settle the loss
          lower but more slowly.

        The units are those of the training target, the standardised log
        price, not dollars.
        """),
        code("""
        plot_loss_curves(result.history, log_scale=True)
        """),
        md("""
        ## Reading the residuals

        A residual is the predicted minus the actual price of a test house, in
        dollars. Points above zero are houses priced too high. A good residual
        plot is a shapeless band around zero. Here the band widens with the
        price: errors grow in proportion to the price, which is what training
        on the log scale asks for.
        """),
        code("""
        plot_residuals(split.y_test, result.predictions["test"], loss_name="mse")
        """),
        code("""
        plot_predicted_vs_actual(split.y_test, result.predictions["test"], loss_name="mse")
        """),
        md("""
        The largest errors are worth reading one by one, because they often
        teach more than the averages: a partial sale, an unusual house, or a
        data error.
        """),
        code("""
        errors = split.X_test[["area", "Overall.Qual", "Year.Built", "Sale.Condition"]].copy()
        errors["actual"] = split.y_test
        errors["predicted"] = result.predictions["test"]
        errors["residual"] = errors["predicted"] - errors["actual"]
        worst = errors.reindex(errors["residual"].abs().sort_values(ascending=False).index).head(6)
        for column in ("actual", "predicted", "residual"):
            worst[column] = worst[column].map(format_money)
        worst
        """),
    ]
    cells += exercises([
        """Train again with `Settings(drop_large_houses=True)`. How do the test RMSE and the
        worst errors change? Is it fair to compare the two test scores, given that the test
        split itself changes?""",
        """Train with `Settings(target_transform="standardize")`, on the raw price instead of
        its log. Compare the RMSE, the MAPE and the residual plot with the run above. Which
        houses get worse?""",
        """Commit the leakage on purpose: fit a `FeaturePipeline` on all rows of `X` and train on
        its output. Is the test score better? By how much, and why is it small here?""",
    ])
    return cells


# ----------------------------------------------------------------------
# 04: choosing a loss
# ----------------------------------------------------------------------


def choosing_a_loss() -> list:
    cells = opening(
        "4. Choosing a loss",
        """
        Which loss is best depends on the data and on the question. This
        notebook trains one model per loss from identical starting conditions,
        first on clean prices and then with a few prices corrupted by a
        misplaced digit, explores Huber's threshold, and finally uses two
        quantile losses to predict a price range instead of a single price.
        """,
        [
            "how to compare losses fairly with `compare_losses`",
            "why MSE chases outliers and MAE, Huber and log-cosh do not",
            "what Huber's $\\delta$ does, and in which units it lives",
            "how quantile losses at 0.1 and 0.9 give an 80% price range",
        ],
    )
    cells += [
        code("""
        %matplotlib inline
        from dataclasses import replace

        import numpy as np
        import pandas as pd
        from matplotlib.figure import Figure

        from housing.commands import comparison_table
        from housing.comparison import OUTLIER_FACTOR, compare_losses
        from housing.experiment import Settings
        from housing.money import format_money, money_formatter
        from housing.plotting import plot_loss_curves, plot_residual_grid

        settings = Settings(seed=42, epochs=120)
        """),
        md("""
        ## A fair comparison

        `compare_losses` trains one model per loss on the same split, from the
        same initial weights, with the same mini-batch order and optimizer.
        Only the loss differs. Every model is then scored with the same
        metrics on the same test houses, in dollars, whatever loss trained it.
        """),
        code("""
        clean = compare_losses(settings, ["mse", "mae", "huber", "logcosh"])
        print(comparison_table(clean.table, clean.currency))
        """),
        md("""
        On clean data MSE, Huber and log-cosh are close. MAE has a good median
        error but the worst RMSE: it aims at the median house and makes no
        special effort on the few large errors, which dominate an RMSE.

        ## Corrupting 2% of the training prices

        A misplaced digit turns \\$180,000 into \\$1,800,000. `outliers=0.02`
        multiplies 2% of the training prices by 10 (validation and test
        prices stay clean), which is the kind of error a data-entry slip makes.
        """),
        code("""
        dirty = compare_losses(settings, ["mse", "mae", "huber", "logcosh"], outliers=0.02)
        print(f"{len(dirty.corrupted_rows)} of {dirty.n_train:,} training prices multiplied by {OUTLIER_FACTOR:g}")
        print(comparison_table(dirty.table, dirty.currency))
        """),
        md("""
        How much did the corrupted prices cost each loss? The change of each
        test score from the clean run:
        """),
        code("""
        before, after = clean.table.set_index("loss"), dirty.table.set_index("loss")
        change = pd.DataFrame({
            "MAE, clean": before["mae"].map(format_money),
            "MAE, 2% corrupted": after["mae"].map(format_money),
            "MAE change": (after["mae"] / before["mae"] - 1).map("{:+.0%}".format),
            "RMSLE change": (after["rmsle"] / before["rmsle"] - 1).map("{:+.0%}".format),
        })
        change
        """),
        md(r"""
        MSE suffers most: its typical error (MAE, median error, RMSLE) grows
        by far the most, while the other three barely move. The reason is
        the gradient. On the standardised log price, a price ten times too
        high is a residual of about $\ln 10 / \sigma$ units, several times
        larger than an ordinary error, and MSE's gradient $2r$ grows with it:
        the corrupted houses pull the whole model up. The gradients of MAE, Huber and log-cosh stop
        growing at $\pm 1$ (or $\pm\delta$), so a corrupted house pulls no
        harder than an ordinary one that is merely badly priced.

        The residuals show it: MSE's cloud sits above zero, because the model
        was pulled towards higher prices.
        """),
        code("""
        plot_residual_grid({name: (dirty.y_test, dirty.predictions[name]) for name in dirty.table["loss"]})
        """),
        md("""
        The loss curves, each divided by its own first-epoch value so that
        losses with different units share an axis:
        """),
        code("""
        plot_loss_curves(dirty.histories)
        """),
        md(r"""
        ## Huber's threshold $\delta$

        $\delta$ is the residual where Huber turns from quadratic (MSE-like) to
        linear (MAE-like). It lives in the units of the training target, the
        standardised log price, where one unit is one standard deviation of
        $\ln(\text{price})$, about 0.4, so roughly a 50% price error. A
        corrupted price is about $\ln 10 / 0.4 \approx 5.7$ units off.

        - a small $\delta$ (0.1) makes Huber nearly MAE;
        - a large $\delta$ (above the outliers' residual) makes it MSE again.
        """),
        code("""
        rows = []
        for delta in (0.1, 1.0, 3.0, 10.0):
            result = compare_losses(replace(settings, delta=delta), ["huber"], outliers=0.02)
            rows.append({"δ": delta, **result.table.iloc[0][["rmse", "mae", "r2"]].to_dict()})
        deltas = pd.DataFrame(rows)
        deltas["rmse"], deltas["mae"] = deltas["rmse"].map(format_money), deltas["mae"].map(format_money)
        deltas.round({"r2": 4})
        """),
        md(r"""
        The best $\delta$ sits between ordinary errors and outliers. The
        default, 1, is a reasonable start; tune it on the validation split,
        never on the test split.

        ## A price range from two quantile losses

        A single price hides how sure the model is. The quantile loss with
        $\tau = 0.1$ learns a price that 10% of similar houses sell below, and
        with $\tau = 0.9$ one that 90% sell below. Between them lies an 80%
        range. If the model is calibrated, about 80% of the test houses should
        fall inside their range.
        """),
        code("""
        low = compare_losses(replace(settings, quantile=0.1), ["quantile"])
        high = compare_losses(replace(settings, quantile=0.9), ["quantile"])
        y_test = low.y_test
        lower, upper = low.predictions["quantile"], high.predictions["quantile"]

        inside = (lower <= y_test) & (y_test <= upper)
        print(f"test houses inside their 80% range: {inside.mean():.1%}")
        print(f"median width of the range: {format_money(np.median(upper - lower))}")
        print(f"ranges whose ends cross (10th percentile above the 90th): {(lower > upper).mean():.1%}")
        """),
        code("""
        shown = np.argsort(y_test)[::11]  # every 11th test house, cheapest first
        figure = Figure(figsize=(11, 4.5), layout="constrained")
        axes = figure.add_subplot()
        positions = np.arange(len(shown))
        axes.vlines(positions, lower[shown], upper[shown], color="#E69F00", linewidth=3, label="80% range (τ = 0.1 to 0.9)")
        colors = np.where(inside[shown], "black", "#D55E00")
        axes.scatter(positions, y_test[shown], color=colors, s=18, zorder=3, label="actual price (red: outside)")
        axes.yaxis.set_major_formatter(money_formatter("USD"))
        axes.set(xlabel="test houses, sorted by actual price", ylabel="price (USD)",
                 title="Predicted price ranges from two quantile losses")
        axes.legend(loc="upper left")
        figure
        """),
    ]
    cells += exercises([
        """Repeat the outlier comparison with `outliers=0.05` and add `"quantile"` (τ = 0.5) to the
        list. Which loss is most robust now, and how does the quantile loss at 0.5 relate to MAE?""",
        """Pick δ on the validation split: for each δ, read `result.histories["huber"]` and take
        the best validation loss. Is the δ with the best validation loss also best on the test
        split? Why could it differ?""",
        """Make a 50% range from τ = 0.25 and τ = 0.75. What fraction of test houses fall inside,
        and how much narrower is it than the 80% range?""",
    ])
    return cells


# ----------------------------------------------------------------------
# 05: optimisation
# ----------------------------------------------------------------------


def optimisation() -> list:
    cells = opening(
        "5. Optimisation",
        """
        The loss says what to minimise; the optimiser decides how to walk
        downhill. This notebook changes one setting at a time and looks at the
        loss curves: the learning rate, momentum and Adam, the mini-batch size,
        and early stopping. Each experiment is a short run on the Ames data
        with everything else fixed, so each difference comes from the one
        setting that changed.
        """,
        [
            "what a learning rate that is too small or too large looks like",
            "how momentum and Adam speed up plain gradient descent",
            "what the mini-batch size trades: noise, speed and time per epoch",
            "how early stopping and the best-weights restore guard against overfitting",
        ],
    )
    cells += [
        code("""
        %matplotlib inline
        from dataclasses import replace

        import numpy as np
        from matplotlib.figure import Figure

        from housing.experiment import Settings, run
        from housing.live import LivePlot
        from housing.plotting import plot_loss_curves

        # Plain SGD, a fixed learning rate, no early stopping: nothing hides the optimiser's behaviour.
        base = Settings(seed=42, optimizer="sgd", lr=1e-2, schedule="constant", patience=None, epochs=60)


        def side_by_side(results, title):
            \"\"\"Draw one loss-curve panel per run, on a shared logarithmic axis.\"\"\"
            figure = Figure(figsize=(5 * len(results), 4.5), layout="constrained")
            panels = figure.subplots(1, len(results), sharey=True)
            for axes, (label, result) in zip(panels, results.items()):
                if len(result.history):
                    plot_loss_curves(result.history, ax=axes, log_scale=True)
                axes.set_title(label)
            figure.suptitle(title, fontsize=15)
            return figure


        def summary(results):
            for label, result in results.items():
                history = result.history
                best = f"best validation loss {min(history.val_loss):.4f} at epoch {history.best_epoch}" if len(history) else "no epoch finished"
                print(f"{label:<22} {best}; test RMSE ${result.metrics['test']['rmse'] or float('nan'):,.0f}")
        """),
        md(r"""
        ## The learning rate

        Gradient descent moves every weight by $-\eta\, \partial L/\partial w$.
        With $\eta$ too small the loss falls, but so slowly that 60 epochs are
        not enough. With $\eta$ too large each step overshoots the valley: the
        loss jumps around, and one bad jump can kill the ReLU units, after
        which the loss sits near 1, the variance of the standardised target,
        because the network predicts the mean for every house. The best
        weights are restored at the end, so the test score hides part of the
        damage. A little larger still and the loss grows without bound until
        it overflows; the trainer then stops and says so.
        """),
        code("""
        learning_rates = {f"η = {rate:g}": run(replace(base, lr=rate)) for rate in (1e-4, 1e-2, 1e-1)}
        summary(learning_rates)
        side_by_side(learning_rates, "Plain SGD with three learning rates")
        """),
        code("""
        diverged = run(replace(base, lr=0.3))
        print(diverged.history.stop_reason)
        """),
        md(r"""
        ## Momentum and Adam

        **Momentum** keeps a running velocity $v \leftarrow \mu v - \eta g$ and
        moves by $v$. Along a direction where the gradient keeps its sign,
        steps add up (up to $1/(1-\mu) = 10$ times for $\mu = 0.9$); across a
        narrow valley, where it flips sign, they cancel.

        **Adam** divides each step by a running root-mean-square of that
        weight's gradients, so every weight gets a step of roughly $\eta$,
        whether its gradients are large or tiny:

        $$m \leftarrow \beta_1 m + (1-\beta_1) g, \quad
          s \leftarrow \beta_2 s + (1-\beta_2) g^2, \quad
          \theta \leftarrow \theta - \eta\, \frac{\hat m}{\sqrt{\hat s} + \epsilon}.$$

        Adam's usual learning rate is smaller, $10^{-3}$.
        """),
        code("""
        optimizers = {
            "SGD, η = 0.01": run(base),
            "momentum 0.9, η = 0.01": run(replace(base, optimizer="momentum")),
            "Adam, η = 0.001": run(replace(base, optimizer="adam", lr=1e-3)),
        }
        summary(optimizers)
        side_by_side(optimizers, "Same network, three optimisers")
        """),
        md("""
        Momentum and Adam reach in under 10 epochs the validation loss that
        plain SGD needs about 50 for. Then both overfit a little: the training
        loss keeps falling while the validation loss (dashed) stays flat or
        creeps up. That is what early stopping, below, is for.

        ## The mini-batch size

        Each step uses a mini-batch of rows. Small batches give many noisy
        steps per epoch; the noise can help escape flat regions but makes the
        curve jagged. A full batch (all 2,050 training rows) gives one exact
        step per epoch: smooth, but few steps. The time per epoch also
        changes, because many small matrix products cost more than a few
        large ones.
        """),
        code("""
        adam = replace(base, optimizer="adam", lr=1e-3, epochs=30)
        batch_sizes = {f"batch size {size:,}": run(replace(adam, batch_size=size)) for size in (8, 64, 2050)}
        summary(batch_sizes)
        for label, result in batch_sizes.items():
            print(f"{label:<18} {np.mean(result.history.seconds) * 1000:6.1f} ms per epoch")
        side_by_side(batch_sizes, "Adam with three mini-batch sizes")
        """),
        md(r"""
        ## Early stopping

        Without a limit, a network keeps fitting the training rows ever more
        closely, noise included, and the validation loss turns up again. Early
        stopping watches the validation loss and stops after `patience` epochs
        without a new best; then the trainer restores the weights of the best
        epoch. Below, the same run with no weight decay, once for 100 epochs
        and once with a patience of 10. The second run draws its curve live.
        """),
        code("""
        no_decay = replace(base, optimizer="adam", lr=1e-3, weight_decay=0.0, epochs=100)
        full = run(no_decay)
        live = LivePlot(every=5)
        stopped = run(replace(no_decay, patience=10), callbacks=[live])
        print(stopped.history.stop_reason)
        """),
        code("""
        summary({"100 epochs": full, "patience 10": stopped})
        side_by_side({"100 epochs, no early stopping": full, "patience 10": stopped},
                     "Early stopping keeps the best epoch")
        """),
        md("""
        Both runs keep the weights of their best epoch (the dot), the same
        epoch here, so their test scores are the same; early stopping got
        there in a fraction of the epochs.
        The package's default, `housing train`, uses Adam at 0.001 with
        mini-batches of 64, a patience of 20, weight decay and a learning rate
        halved on plateaus: every choice in this notebook, combined.
        """),
    ]
    cells += exercises([
        """Find the largest learning rate at which plain SGD still trains (try values between 0.1
        and 0.3). Then switch on `schedule="plateau"`: can it start higher?""",
        """Momentum with `momentum=0.99` adds up steps 100 times. Train it at η = 0.01 and at
        η = 0.001. What does too much momentum look like on the curve?""",
        """With batch size 8, lower the learning rate to 1e-4. Does the curve get smoother? Compare
        the time to reach a validation loss of 0.12 with batch size 64 at 1e-3.""",
    ])
    return cells


def classification() -> list:
    cells = [
        md(r"""
        # 6. From regression to classification: price bands and cross-entropy

        So far the network predicted a price. Often the question is coarser:
        is this house above or below the median, or in which quarter of the
        market does it sit? This notebook turns the same Ames data, split and
        network into a classifier of **price bands**, trains it with
        cross-entropy, and shows why cross-entropy, and not the squared error
        of a probability, is the loss for the job. It ends by reading a
        confusion matrix.

        **You will learn**

        - how to cut prices into bands, fitted on the training split only
        - what logits are, and why the output layer stays linear while sigmoid and softmax come after it
        - how the log-sum-exp form keeps cross-entropy finite for any logit, and why its gradient is *probability minus target*
        - why MSE on probabilities learns slowly from confident mistakes, with both training curves side by side
        - how to read a confusion matrix: recall along a row, precision down a column, and the baseline to beat

        **Setup**

        ```
        python3 -m venv .venv
        . .venv/bin/activate
        pip install -e ".[notebooks]"
        jupyter lab notebooks/
        ```
        Run these once from the root of a clone of the repository. Then open this
        notebook and choose *Run All*. It runs top to bottom in well under a minute.
        """),
        code(r"""
        %matplotlib inline
        import numpy as np
        import pandas as pd
        from matplotlib.figure import Figure

        from housing.activations import Sigmoid
        from housing.classification import (ClassificationSettings, PriceBands, band_table, prepare_classification,
                                            run_classification)
        from housing.experiment import load_data, seed_stream, split_data
        from housing.losses import CategoricalCrossEntropy, get_loss, softmax
        from housing.money import format_money
        from housing.network import MLP
        from housing.optimizers import get_optimizer
        from housing.plotting import plot_confusion_matrix
        from housing.training import Trainer

        sigmoid = Sigmoid().forward
        """),
        md(r"""
        ## From prices to bands

        A band is a price range. With two bands the cut is the median of the
        training prices; with $k$ bands the cuts are the quantiles at
        $1/k, 2/k, \dots$, so each band holds about the same number of training
        sales. The cuts are fitted on the **training split only**, like the
        feature scaling: cutting at the quantiles of all prices would let the
        test prices shape the question the model is tested on.

        `split_data` is the one the regression notebooks used, with the same
        seed, so these are the same houses in the same three splits.
        """),
        code(r"""
        settings = ClassificationSettings(bands=4)  # loss "cce", as for any k > 2
        X, y, info = load_data(settings)
        split = split_data(X, y, info, settings)

        quartiles = PriceBands.fit(split.y_train, 4)
        median = PriceBands.fit(split.y_train, 2)
        print("cuts at the training quartiles:", [format_money(edge) for edge in quartiles.edges])
        print("cut at the training median:    ", [format_money(edge) for edge in median.edges])
        print("labels in dollars:", quartiles.labels("USD"))
        print("labels in rupees: ", quartiles.labels("INR"))
        """),
        md(r"""
        The rupee labels are the same numbers with Indian units, not a
        currency conversion: `housing` never applies an exchange rate.

        A price equal to a cut goes to the band above it. Many Ames houses sold
        for exactly \$160,000, the median, so the bands are not perfectly equal:
        """),
        code(r"""
        counts = pd.DataFrame({name: np.bincount(quartiles.assign(prices), minlength=4)
                               for name, prices in [("training", split.y_train), ("validation", split.y_val),
                                                    ("test", split.y_test)]},
                              index=quartiles.labels("USD"))
        counts
        """),
        md(r"""
        ## Logits, sigmoid and softmax

        The network is unchanged: its last layer is linear and returns one
        number per class, the **logits** $z$. Probabilities come from them:

        $$\sigma(z) = \frac{1}{1 + e^{-z}} \quad\text{(two bands, one logit)}, \qquad
          \operatorname{softmax}(z)_c = \frac{e^{z_c}}{\sum_j e^{z_j}} \quad\text{($k$ bands, $k$ logits)}.$$

        The **cross-entropy** of a sample whose true band is $c$ is
        $-\log p_c$: no cost when the model gives the true band probability 1,
        and a cost growing without bound as it gives it 0. With a one-hot target
        $y$ it reads $\ell = -\sum_c y_c \log p_c$.

        One house, four bands, worked by hand. The network says
        $z = (2.0, 0.5, -1.0, -3.0)$ and the house is in band 1:
        """),
        code(r"""
        z = np.array([[2.0, 0.5, -1.0, -3.0]])
        y_true = np.array([[0.0, 1.0, 0.0, 0.0]])  # one-hot: band 1

        p = np.exp(z) / np.exp(z).sum()
        print("probabilities:", np.round(p, 4))
        print("by hand:   -log p_1 =", -np.log(p[0, 1]))
        cce = CategoricalCrossEntropy()
        print("housing:   cce      =", cce(y_true, z))
        print("gradient dL/dz      =", np.round(cce.gradient(y_true, z), 4))
        print("p - y               =", np.round(p - y_true, 4))
        """),
        md(r"""
        The gradient with respect to the logits is **the probability minus the
        target**, $\partial \ell / \partial z_c = p_c - y_c$. Band 0 got too
        much probability and is pushed down by 0.78. Band 1 got too little and
        is pushed up by 0.83. The same is true of the sigmoid and binary
        cross-entropy: $\partial \ell / \partial z = \sigma(z) - y$.

        ### Staying finite: the log-sum-exp form

        Computed as written, softmax overflows: $e^{1000}$ is infinite in
        float64. Since $\log p_c = z_c - \log \sum_j e^{z_j}$, the loss is

        $$\ell = \log \sum_j e^{z_j - m} - \sum_c y_c (z_c - m), \qquad m = \max_j z_j,$$

        where every exponent is at most 0. That is why `housing`'s losses take
        **logits**, not probabilities, and why the output layer stays linear:
        """),
        code(r"""
        z = np.array([[1000.0, -1000.0, 0.0]])
        y_true = np.array([[0.0, 1.0, 0.0]])
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            naive = -np.log((np.exp(z) / np.exp(z).sum())[0, 1])
        print("as written:      ", naive)
        print("log-sum-exp form:", cce(y_true, z))
        print("three equal logits give ln 3:", cce(np.array([[0.0, 1.0, 0.0]]), np.full((1, 3), 7.5)), np.log(3))
        """),
        md(r"""
        ## Why cross-entropy and not MSE on probabilities

        One could put a sigmoid on the output and train with MSE against the
        0/1 target, as for a price. Compare the gradients with respect to the
        logit for one house in the upper band ($y = 1$):

        $$\text{cross-entropy: } \frac{\partial \ell}{\partial z} = \sigma(z) - 1, \qquad
          \text{MSE on } p = \sigma(z): \frac{\partial \ell}{\partial z} = 2(\sigma(z) - 1)\,\sigma(z)(1 - \sigma(z)).$$

        The second has the extra factor $\sigma(z)(1 - \sigma(z))$, the
        sigmoid's slope, which vanishes when the model is sure. So the more
        confidently wrong the model is ($z \ll 0$), the *less* MSE pushes it,
        while cross-entropy pushes with almost full force.
        """),
        code(r"""
        logits = np.linspace(-10, 10, 401)
        p = sigmoid(logits)
        fig = Figure(figsize=(9, 4.5), layout="constrained")
        ax = fig.add_subplot()
        ax.plot(logits, p - 1, linewidth=2.4, color="#0072B2", label="cross-entropy: σ(z) − 1")
        ax.plot(logits, 2 * (p - 1) * p * (1 - p), linewidth=2.4, color="#D55E00",
                label="MSE on probabilities: 2(σ(z) − 1)·σ(z)(1 − σ(z))")
        ax.axhline(0, color="black", linewidth=0.8)
        ax.set_xlabel("logit z (true band: the upper one, y = 1)", fontsize=12)
        ax.set_ylabel("gradient dℓ/dz", fontsize=12)
        ax.set_title("How hard one house pulls on its logit", fontsize=14)
        ax.annotate("confidently wrong:\nMSE barely moves", xy=(-7, -0.002), xytext=(-9.5, -0.45), fontsize=11,
                    arrowprops={"arrowstyle": "->"})
        ax.legend(fontsize=11, loc="lower right")
        ax.grid(True, color="#dddddd")
        fig
        """),
        md(r"""
        ### Both training curves, from a confidently wrong start

        A model with one feature, the log of the living area, and no hidden
        layer: logistic regression. It starts confidently wrong, with weight
        $-6$, so that it calls big houses cheap with near certainty. Both
        versions take full-batch gradient descent with learning rate 1 for 100
        epochs, from the same start. One has a linear output and cross-entropy on
        the logit; the other a sigmoid output and MSE on the probability. Plain
        gradient descent is used because Adam rescales each step by the size of
        recent gradients, which would hide the difference that this section is
        about.
        """),
        code(r"""
        bands_train = median.assign(split.y_train).reshape(-1, 1).astype(float)
        bands_val = median.assign(split.y_val).reshape(-1, 1).astype(float)
        log_area = np.log(split.X_train[["area"]].to_numpy())
        shift, scale = log_area.mean(), log_area.std()  # standardise with training statistics only
        area_train = (log_area - shift) / scale
        area_val = (np.log(split.X_val[["area"]].to_numpy()) - shift) / scale


        def train_one_feature(output_activation, loss_name):
            network = MLP(1, (), 1, output_activation=output_activation, init="zeros")
            network.layers[0].W[:] = -6.0  # bigger house, lower band: confidently wrong
            threshold = 0.0 if output_activation == "identity" else 0.5  # logit 0 is probability 0.5
            accuracy = []

            def record_accuracy(trainer, history):
                predicted = trainer.network.forward(area_val) > threshold
                accuracy.append(np.mean(predicted == bands_val))

            trainer = Trainer(network, get_loss(loss_name), get_optimizer("sgd", 1.0), batch_size=len(area_train),
                              max_epochs=100, patience=None, callbacks=[record_accuracy])
            history = trainer.fit(area_train, bands_train, area_val, bands_val)
            return history, accuracy


        cross_entropy_run = train_one_feature("identity", "bce")
        mse_run = train_one_feature("sigmoid", "mse")
        for name, (history, accuracy) in [("cross-entropy", cross_entropy_run), ("MSE on probabilities", mse_run)]:
            print(f"{name:<21} validation accuracy after 20 epochs {accuracy[19]:.3f}, after 100 epochs {accuracy[-1]:.3f}")
        """),
        code(r"""
        def plot_two_runs(runs, title):
            fig = Figure(figsize=(13, 4.6), layout="constrained")
            loss_axes = fig.subplots(1, 3)
            colors = ["#0072B2", "#D55E00"]
            for ax, (name, (history, _)), color in zip(loss_axes[:2], runs.items(), colors):
                ax.plot(history.epoch, history.train_loss, color=color, linewidth=2.2, label="training")
                ax.plot(history.epoch, history.val_loss, color=color, linewidth=2.2, linestyle="--", label="validation")
                ax.set_title(name, fontsize=13, color=color)
                ax.set_xlabel("epoch", fontsize=12)
                ax.set_ylabel("loss (its own units)", fontsize=12)
                ax.legend(fontsize=10)
                ax.grid(True, color="#dddddd")
            accuracy_ax = loss_axes[2]
            for (name, (history, accuracy)), color in zip(runs.items(), colors):
                accuracy_ax.plot(history.epoch, accuracy, color=color, linewidth=2.2, label=name)
            accuracy_ax.set_title("validation accuracy", fontsize=13)
            accuracy_ax.set_xlabel("epoch", fontsize=12)
            accuracy_ax.set_ylim(0, 1)
            accuracy_ax.legend(fontsize=10, loc="lower right")
            accuracy_ax.grid(True, color="#dddddd")
            fig.suptitle(title, fontsize=14)
            return fig


        plot_two_runs({"cross-entropy on the logit": cross_entropy_run, "MSE on the probability": mse_run},
                      "Logistic regression on living area, from a confidently wrong start")
        """),
        md(r"""
        Cross-entropy starts high, because being sure and wrong costs a lot,
        and it is right for four houses in five within a dozen epochs. MSE on the
        probability starts at a loss that looks moderate (it can never exceed
        1), but its gradients are tiny, so its curve creeps down and its
        accuracy has barely moved after 100 epochs. The two losses are in
        different units, so compare the shapes of the curves, not their heights.

        ### The full network, from its usual start

        With the default network (329 → 64 → 32 → 1), He initialisation and Adam,
        the start is not saturated, and both losses get there:
        """),
        code(r"""
        classification_split = prepare_classification(split, ClassificationSettings(bands=2))


        def train_network(output_activation, loss_name):
            network = MLP(classification_split.features_train.shape[1], (64, 32), 1,
                          output_activation=output_activation, rng=seed_stream(42, "init"))
            threshold = 0.0 if output_activation == "identity" else 0.5
            accuracy = []

            def record_accuracy(trainer, history):
                predicted = trainer.network.forward(classification_split.features_val) > threshold
                accuracy.append(np.mean(predicted == classification_split.z_val))

            trainer = Trainer(network, get_loss(loss_name), get_optimizer("adam", 1e-3), max_epochs=40, patience=None,
                              weight_decay=1e-2, rng=seed_stream(42, "shuffle"), callbacks=[record_accuracy])
            history = trainer.fit(classification_split.features_train, classification_split.z_train,
                                  classification_split.features_val, classification_split.z_val)
            return history, accuracy


        network_runs = {"cross-entropy on the logit": train_network("identity", "bce"),
                        "MSE on the probability": train_network("sigmoid", "mse")}
        for name, (history, accuracy) in network_runs.items():
            print(f"{name:<27} best validation accuracy {max(accuracy):.3f}")
        plot_two_runs(network_runs, "The default network on two bands, with Adam")
        """),
        md(r"""
        On this data, with a good start and an adaptive optimizer, the two end
        up close. Cross-entropy is still the right choice: it is the negative
        log-likelihood of the labels, so its minimum gives calibrated
        probabilities; its gradient does not vanish when the model is wrong;
        and it does not rely on the optimizer or the initialisation to rescue
        it. `housing` offers only cross-entropy for classification, and
        `housing train --task classify --loss mse` is an error that lists the
        losses of each task.

        ## Four price bands

        `run_classification` does everything above for real: it cuts the
        bands, trains the default network with categorical cross-entropy on
        four logits, and scores the test split with scikit-learn's metrics.
        The command line equivalent is `housing train --task classify`.
        """),
        code(r"""
        result = run_classification(ClassificationSettings(bands=4))
        labels = result.model.band_labels()
        test = result.metrics["test"]
        baseline = result.metrics["baseline"]
        print(result.history.stop_reason)
        print()
        print(band_table(test, labels))
        print(f"\naccuracy {test['accuracy']:.3f}, against {baseline['accuracy']:.3f} for always predicting "
              f"the largest training band ({labels[baseline['band']]})")
        """),
        md(r"""
        ## Reading a confusion matrix

        Each row is the band a house is really in, and each column the band
        the model predicted. The diagonal contains the houses put in the right
        band. Each cell also shows its share of the row, and the colour follows
        that share.
        """),
        code(r"""
        plot_confusion_matrix(result.true_bands["test"], result.predicted_bands["test"], labels)
        """),
        md(r"""
        Three things to read from it:

        - **Recall** of a band is its diagonal cell divided by its **row**: of
          the houses really in the band, the share the model found.
        - **Precision** is the diagonal cell divided by its **column**: of the
          houses the model put in the band, the share really in it.
        - Mistakes sit next to the diagonal. A house is mistaken for the
          neighbouring band, almost never for one two bands away, because
          the bands are ordered prices and the network has learned that order
          without being told. The middle bands have two neighbours to be
          mistaken for, so they score lowest.

        The same numbers, computed from the matrix by hand and compared with
        scikit-learn's:
        """),
        code(r"""
        matrix = np.array(test["confusion_matrix"])
        by_hand = pd.DataFrame({
            "recall (row)": np.diag(matrix) / matrix.sum(axis=1),
            "recall (sklearn)": test["recall"],
            "precision (column)": np.diag(matrix) / matrix.sum(axis=0),
            "precision (sklearn)": test["precision"],
        }, index=labels)
        by_hand.round(3)
        """),
        md(r"""
        Accuracy alone hides which bands suffer. The baseline of always
        predicting the largest training band scores about a quarter here,
        because the quartile bands are about equal in size. With unequal bands, say one
        holding 90% of the sales, that baseline would reach 0.9 and a high
        accuracy would mean little, so always read accuracy beside the baseline
        and the per-band recall.

        ## Probabilities for single houses

        `predict_proba` turns the four logits into probabilities with softmax.
        A house near a cut gets its probability split between two bands:
        """),
        code(r"""
        houses = split.X_test.head(6)
        probabilities = result.model.predict_proba(houses)
        table = pd.DataFrame(probabilities.round(3), columns=labels, index=houses.index)
        table.insert(0, "actual price", [format_money(price) for price in split.y_test.head(6)])
        table.insert(1, "predicted band", [labels[band] for band in probabilities.argmax(axis=1)])
        table
        """),
        md(r"""
        ## Exercises

        1. Train with `ClassificationSettings(bands=2, loss="cce")`: two softmax
           logits instead of one sigmoid logit. Compare its test accuracy with the
           `bce` run. Then show that a softmax over the logits $(z_0, z_1)$ is
           $\sigma(z_1 - z_0)$, which explains what you see.
        2. Try `bands=3`, `6` and `10`. How do accuracy and the baseline change,
           and which bands lose recall first? Look at the confusion matrix: are
           the mistakes still next to the diagonal?
        3. Put `BinaryCrossEntropyOnProbabilities` (in `housing.losses`) after a
           sigmoid output in the one-feature experiment. At which starting weight
           does its gradient become exactly 0, and why? (Hint: it clips each
           probability once, at $10^{-7}$.)
        """),
    ]
    return cells

NOTEBOOKS = {
    "01-loss-functions-by-hand.ipynb": loss_functions_by_hand,
    "02-backpropagation-from-scratch.ipynb": backpropagation,
    "03-training-on-real-house-prices.ipynb": training_on_ames,
    "04-choosing-a-loss.ipynb": choosing_a_loss,
    "05-optimisation.ipynb": optimisation,
    "06-classification.ipynb": classification,
}


def build(name: str) -> float:
    """Write one notebook, run it in a fresh kernel, save it with outputs; return the seconds taken."""
    notebook = new_notebook(cells=NOTEBOOKS[name]())
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.metadata["language_info"] = {"name": "python"}
    started = time.perf_counter()
    NotebookClient(notebook, timeout=CELL_TIMEOUT, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOK_DIR)}}).execute()
    seconds = time.perf_counter() - started
    nbformat.write(notebook, NOTEBOOK_DIR / name)
    return seconds


def main(prefixes: list[str]) -> None:
    for name in NOTEBOOKS:
        if prefixes and not any(name.startswith(prefix) for prefix in prefixes):
            continue
        print(f"{name}: {build(name):.1f} s", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
