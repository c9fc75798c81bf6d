"""glassnet.plots._style: parameters named and described for a network with a hidden layer."""

from __future__ import annotations

import numpy as np

from glassnet.landscape import most_moved, prediction_paths, weight_paths
from glassnet.network import parameter_names
from glassnet.plots._style import describe_parameter


def test_parameter_names_and_descriptions_for_a_hidden_layer(xor_run):
    names = parameter_names(xor_run.network)
    assert names[:2] == ("W0[0,0]", "W0[0,1]") and len(names) == xor_run.network.n_params
    assert (
        describe_parameter("W1[3,0]", xor_run.network)
        == "weight from hidden unit 4 of layer 1 to the output"
    )
    assert describe_parameter("W0[0,2]", xor_run.network, ("a", "b", "c")) == (
        "weight from input a to hidden unit 3 of layer 1"
    )
    paths = weight_paths(xor_run)
    assert len(most_moved(paths)) == 2
    np.testing.assert_array_equal(
        xor_run.final.with_flat(xor_run.final.flat()).weights[1], xor_run.final.weights[1]
    )
    preds = prediction_paths(xor_run, paths)
    np.testing.assert_array_equal(preds.predictions[-1], xor_run.final_prediction)
