"""Weights as bare tensors multiplied with @; D uses ReLU, G ends with a sigmoid."""
# expect: T01=fail T02=pass T03=pass T04=na T05=fail T06=absent T07=absent T08=absent T09=pass
# expect: T10=absent T11=pass T12=absent T13=absent T14=absent T15=absent T16=na T17=absent
# reason: T01=fail G(z) returns torch.sigmoid(...): outputs in [0, 1]
# reason: T05=fail D(X) applies torch.relu to its hidden layer
import torch
from torch.autograd import Variable
from torchvision import datasets, transforms

mb_size, Z_dim, X_dim, h_dim = 64, 100, 784, 128


def xavier_init(size):
    return Variable(torch.randn(*size) * (1.0 / (size[0] / 2.0) ** 0.5), requires_grad=True)


Wzh, bzh = xavier_init([Z_dim, h_dim]), Variable(torch.zeros(h_dim), requires_grad=True)
Whx, bhx = xavier_init([h_dim, X_dim]), Variable(torch.zeros(X_dim), requires_grad=True)
Wxh, bxh = xavier_init([X_dim, h_dim]), Variable(torch.zeros(h_dim), requires_grad=True)
Why, bhy = xavier_init([h_dim, 1]), Variable(torch.zeros(1), requires_grad=True)


def G(z):
    h = torch.relu(z @ Wzh + bzh)
    return torch.sigmoid(h @ Whx + bhx)


def D(X):
    h = torch.relu(X @ Wxh + bxh)
    return torch.sigmoid(h @ Why + bhy)


G_solver = torch.optim.Adam([Wzh, bzh, Whx, bhx], lr=1e-3)
D_solver = torch.optim.Adam([Wxh, bxh, Why, bhy], lr=1e-3)
ones_label, zeros_label = torch.ones(mb_size, 1), torch.zeros(mb_size, 1)
loader = torch.utils.data.DataLoader(datasets.MNIST("data", download=True, transform=transforms.ToTensor()), batch_size=mb_size, drop_last=True)

for epoch in range(20):
    for X, _ in loader:
        X = X.view(mb_size, -1)
        z = Variable(torch.randn(mb_size, Z_dim))
        D_loss = torch.nn.functional.binary_cross_entropy(D(X), ones_label) + torch.nn.functional.binary_cross_entropy(D(G(z)), zeros_label)
        D_solver.zero_grad()
        D_loss.backward()
        D_solver.step()
        z = Variable(torch.randn(mb_size, Z_dim))
        G_loss = torch.nn.functional.binary_cross_entropy(D(G(z)), ones_label)
        G_solver.zero_grad()
        G_loss.backward()
        G_solver.step()
