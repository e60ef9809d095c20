"""``/datasets`` endpoints."""

from __future__ import annotations

from .api_common import Context, authenticate, paginate
from .model import Dataset, new_id
from .routing import ApiError, Handlers, Request, Response, handlers, validation_error

NOT_FOUND = "Dataset not found. The given id does not match any dataset."


def register(ctx: Context) -> Handlers:
    """Add the dataset endpoints."""
    state = ctx.state

    def create_dataset(req: Request) -> Response:
        user = authenticate(ctx, req)
        body = req.json_body()
        if not isinstance(body, dict):
            raise validation_error(["body"], "Input should be a valid dictionary", "dict_type")
        name = body.get("dataset_name")
        if not isinstance(name, str) or not name.strip():
            raise ApiError(400, "A dataset name is required (dataset_name).")
        dtype = body.get("dataset_type") or "owned"
        if dtype not in ("owned", "foreign"):
            raise validation_error(["body", "dataset_type"],
                                   "Input should be 'owned' or 'foreign'", "enum")
        with state.lock:
            if any(d.dataset_name == name and d.user_id == user.user_id
                   for d in state.datasets.values()):
                raise ApiError(400, f"The chosen dataset name {name!r} is already taken: "
                                    "datasets of the same user must have unique names.")
            dataset = Dataset(new_id(), name, user.user_id, dtype)
            state.datasets[dataset.dataset_id] = dataset
        return Response.json({"dataset_id": dataset.dataset_id, "data": dataset.to_json()})

    def list_datasets(req: Request) -> Response:
        authenticate(ctx, req, required=False)
        ids, names = req.arg("dataset_id"), req.arg("dataset_name")
        users, dtype = set(req.arg_list("user_id")), req.arg("dataset_type")
        with state.lock:
            items = [
                d.to_json() for d in state.datasets.values()
                if (not ids or d.dataset_id == ids) and (not names or d.dataset_name == names)
                and (not users or d.user_id in users) and (not dtype or d.dataset_type == dtype)
            ]
        page, pagination = paginate(req, items, "dataset_create_time",
                                    ("dataset_create_time", "dataset_name", "dataset_id"))
        return Response.json({"pagination": pagination, "data": page})

    def get_dataset(req: Request) -> Response:
        authenticate(ctx, req, required=False)
        dataset = state.datasets.get(req.params["dataset_id"])
        if dataset is None:
            raise ApiError(404, NOT_FOUND)
        return Response.json({"dataset_id": dataset.dataset_id, "data": dataset.to_json()})

    def delete_dataset(req: Request) -> Response:
        user = authenticate(ctx, req)
        with state.lock:
            dataset = state.datasets.get(req.params["dataset_id"])
            if dataset is None:
                raise ApiError(404, NOT_FOUND)
            if dataset.user_id != user.user_id:
                raise ApiError(403, "The dataset can only be edited by the user who created "
                                    "the dataset.")
            del state.datasets[dataset.dataset_id]
            for upload in state.uploads.values():
                ids = upload.metadata.get("datasets") or []
                if dataset.dataset_id in ids:
                    ids.remove(dataset.dataset_id)
        return Response.json({"dataset_id": dataset.dataset_id, "data": dataset.to_json()})

    return handlers(create_dataset, list_datasets, get_dataset, delete_dataset)
