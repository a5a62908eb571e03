"""jaxtyping aliases used across cicrjax's public signatures."""

from jaxtyping import Array, ArrayLike, Bool, Float

Scalar = Float[Array, ""]
ScalarLike = float | Float[ArrayLike, ""]
State = Float[Array, " states"]
Times = Float[Array, " times"]
Trajectory = Float[Array, "times states"]
BoolScalar = Bool[Array, ""]
