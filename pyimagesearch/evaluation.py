"""Scoring a trained classifier on the test set with scikit-learn."""


def evaluate(model, test_x, test_y, classes, batch_size=128):
    """Predict the test set; return (accuracy, truth, predictions, classification report text)."""
    from sklearn.metrics import accuracy_score, classification_report

    predictions = model.predict(test_x, batch_size=batch_size, verbose=0).argmax(axis=1)
    truth = test_y.argmax(axis=1)
    report = classification_report(truth, predictions, labels=range(len(classes)),
                                   target_names=[str(c) for c in classes], digits=4,
                                   zero_division=0)
    return accuracy_score(truth, predictions), truth, predictions, report
