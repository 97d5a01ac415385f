"""-log(clamp(D(G(z)), min=eps)) for G: clamped, but non-saturating."""
# expect: T01=pass T02=pass T03=pass T04=pass T05=pass T06=absent T07=absent T08=absent T09=pass
# expect: T10=absent T11=pass T12=absent T13=absent T14=absent T15=absent T16=na T17=absent
# reason: T02=pass lossG = -torch.log(torch.clamp(d_gen, min=1e-7)).mean()
# reason: T04=pass D has BatchNorm1d and gets real and fake in separate calls
import torch
import torch.nn as nn
from torchvision import datasets, transforms

tf = transforms.Compose([transforms.ToTensor(), transforms.Lambda(lambda t: t * 2 - 1)])
loader = torch.utils.data.DataLoader(datasets.FashionMNIST("data", download=True, transform=tf), batch_size=100)
G = nn.Sequential(nn.Linear(64, 256), nn.BatchNorm1d(256), nn.LeakyReLU(0.2), nn.Linear(256, 784), nn.Tanh())
D = nn.Sequential(nn.Linear(784, 256), nn.BatchNorm1d(256), nn.LeakyReLU(0.2), nn.Linear(256, 1), nn.Sigmoid())
optG = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
optD = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))

for epoch in range(40):
    for imgs, _ in loader:
        real = imgs.view(imgs.size(0), -1)
        gen = G(torch.randn(real.size(0), 64))
        lossD = -(torch.log(torch.clamp(D(real), min=1e-7)) + torch.log(torch.clamp(1 - D(gen.detach()), min=1e-7))).mean()
        optD.zero_grad()
        lossD.backward()
        optD.step()
        d_gen = D(gen)
        lossG = -torch.log(torch.clamp(d_gen, min=1e-7)).mean()
        optG.zero_grad()
        lossG.backward()
        optG.step()
