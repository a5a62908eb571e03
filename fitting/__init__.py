"""fitting: inference of cicrjax model parameters from recordings (Laplace intervals, multistart, PEtab).

This package builds on `cicrjax` (models, protocols, observation models, recordings) and is never imported by it.
"""

import cicrjax as _cicrjax  # noqa: F401  (enables float64)

from ._blurred import blurred_residuals as blurred_residuals, dense_times as dense_times
from ._derived import DerivedQuantity as DerivedQuantity, derived_quantities as derived_quantities
from ._expression import compile_formula as compile_formula
from ._fit import fit as fit
from ._free import FreeParameter as FreeParameter, default_free as default_free
from ._identifiability import Identifiability as Identifiability, identifiability as identifiability
from ._kymograph import (
    KymographLeastSquares as KymographLeastSquares,
    KymographProblem as KymographProblem,
    define_kymograph_problem as define_kymograph_problem,
    fit_kymograph as fit_kymograph,
    spark_parameters as spark_parameters,
)
from ._multistart import (
    Multistart as Multistart,
    multistart as multistart,
    multistart_cells as multistart_cells,
    run_cells as run_cells,
    run_starts as run_starts,
)
from ._objective import (
    Prediction as Prediction,
    neg_log_posterior as neg_log_posterior,
    neg_log_posterior_and_grad as neg_log_posterior_and_grad,
    objective as objective,
    predict as predict,
    predict_jit as predict_jit,
    residuals as residuals,
    value_and_grad as value_and_grad,
)
from ._optimisers import (
    LBFGS as LBFGS,
    AbstractOptimiser as AbstractOptimiser,
    AbstractScalarOptimiser as AbstractScalarOptimiser,
    Adam as Adam,
    LevenbergMarquardt as LevenbergMarquardt,
    RunOutput as RunOutput,
    State as State,
)
from ._petab import (
    PetabFit as PetabFit,
    PetabProblem as PetabProblem,
    evaluate_petab as evaluate_petab,
    fit_petab as fit_petab,
    load_petab as load_petab,
    petab_starts as petab_starts,
)
from ._posterior import Posterior as Posterior, posterior as posterior, sample_posterior as sample_posterior
from ._prior import Prior as Prior
from ._problem import (
    INITIAL_PREFIX as INITIAL_PREFIX,
    OBSERVATION_PARAMETERS as OBSERVATION_PARAMETERS,
    Problem as Problem,
    define_problem as define_problem,
)
from ._profile import (
    THRESHOLD_95 as THRESHOLD_95,
    Profile as Profile,
    profile_function as profile_function,
    profile_likelihood as profile_likelihood,
)
from ._result import FitResult as FitResult, summarise as summarise
from ._results_json import results_dict as results_dict
from ._rhythm import detect_rhythm as detect_rhythm, rhythm as rhythm, rhythm_distance as rhythm_distance
from ._signal import (
    AbstractSignal as AbstractSignal,
    FunctionSignal as FunctionSignal,
    IndicatorSignal as IndicatorSignal,
    NormalisedSignal as NormalisedSignal,
    RatioSignal as RatioSignal,
    StateSignal as StateSignal,
    signal_for_kind as signal_for_kind,
)
from ._starts import sample_starts as sample_starts
from ._strategies import (
    STRATEGIES as STRATEGIES,
    AbstractStrategy as AbstractStrategy,
    HorizonCurriculum as HorizonCurriculum,
    MultipleShooting as MultipleShooting,
    PeriodMatched as PeriodMatched,
    SingleShooting as SingleShooting,
    choose_strategy as choose_strategy,
    strategy as strategy,
)
from ._strategies.multiple_shooting import (
    initial_nodes as initial_nodes,
    segment_layout as segment_layout,
    shooting_loss as shooting_loss,
)
from ._transform import Transform as Transform
