"""Salimans et al. minibatch discrimination layer inside D (improved-GAN style, feature matching off)."""
# expect: T01=pass T02=pass T03=pass T04=na T05=pass T06=pass T07=absent T08=absent T09=pass
# expect: T10=absent T11=pass T12=absent T13=absent T14=absent T15=pass T16=na T17=absent
# reason: T15=pass MinibatchDiscrimination compares each sample with the rest of the batch
# reason: T06=pass one-sided smoothing: real targets 0.9
import torch
import torch.nn as nn
from torchvision import datasets, transforms


class MinibatchDiscrimination(nn.Module):
    def __init__(self, in_features, out_features, kernel_dims):
        super().__init__()
        self.T = nn.Parameter(torch.randn(in_features, out_features, kernel_dims) * 0.1)

    def forward(self, x):
        m = (x @ self.T.flatten(1)).view(-1, self.T.size(1), self.T.size(2))
        diff = (m.unsqueeze(0) - m.unsqueeze(1)).abs().sum(3)
        o = torch.exp(-diff).sum(0) - 1
        return torch.cat([x, o], 1)


class Discriminator(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Linear(784, 256), nn.LeakyReLU(0.2))
        self.mbd = MinibatchDiscrimination(256, 32, 8)
        self.out = nn.Linear(256 + 32, 1)

    def forward(self, x):
        return self.out(self.mbd(self.features(x.flatten(1))))


G = nn.Sequential(nn.Linear(100, 256), nn.LeakyReLU(0.2), nn.Linear(256, 784), nn.Tanh())
D = Discriminator()
crit = nn.BCEWithLogitsLoss()
oG, oD = torch.optim.Adam(G.parameters(), 2e-4, betas=(0.5, 0.999)), torch.optim.Adam(D.parameters(), 2e-4, betas=(0.5, 0.999))
loader = torch.utils.data.DataLoader(datasets.MNIST("data", download=True, transform=transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.5,), (0.5,))])), batch_size=100)
for epoch in range(20):
    for x, _ in loader:
        fake = G(torch.randn(x.size(0), 100))
        lD = crit(D(x), torch.full((x.size(0), 1), 0.9)) + crit(D(fake.detach()), torch.zeros(x.size(0), 1))
        oD.zero_grad()
        lD.backward()
        oD.step()
        lG = crit(D(fake), torch.ones(x.size(0), 1))
        oG.zero_grad()
        lG.backward()
        oG.step()
