"""Conditioning maps concatenated along channels (dim=1) before a BatchNorm D: not a mixed batch."""
# expect: T01=pass T02=pass T03=pass T04=pass T05=pass T06=absent T07=pass T08=absent T09=pass
# expect: T10=absent T11=pass T12=pass T13=absent T14=absent T15=absent T16=absent T17=absent
# reason: T04=pass torch.cat([x, y_map], dim=1) stacks channels; real and fake stay in separate batches
# reason: T12=pass D is conditioned on the label maps
# reason: T16=absent the condition is one-hot (F.one_hot), not embedded
import torch
import torch.nn as nn
import torch.nn.functional as F
from torchvision import datasets, transforms

n_cls = 10
G = nn.Sequential(nn.ConvTranspose2d(100 + n_cls, 128, 7, 1, 0), nn.BatchNorm2d(128), nn.ReLU(), nn.ConvTranspose2d(128, 1, 4, 2, 1), nn.Tanh())
D = nn.Sequential(nn.Conv2d(1 + n_cls, 64, 4, 2, 1), nn.BatchNorm2d(64), nn.LeakyReLU(0.2), nn.Conv2d(64, 1, 7, 1, 0), nn.Sigmoid())
criterion = nn.BCELoss()
oG = torch.optim.Adam(G.parameters(), 2e-4, betas=(0.5, 0.999))
oD = torch.optim.Adam(D.parameters(), 2e-4, betas=(0.5, 0.999))
loader = torch.utils.data.DataLoader(datasets.MNIST("data", download=True, transform=transforms.Compose([transforms.Resize(14), transforms.ToTensor(), transforms.Normalize((0.5,), (0.5,))])), batch_size=100)

for epoch in range(20):
    for x, y in loader:
        b = x.size(0)
        y_vec = F.one_hot(y, n_cls).float()
        y_map = y_vec.view(b, n_cls, 1, 1).expand(b, n_cls, 14, 14)
        z = torch.randn(b, 100, 1, 1)
        fake = G(torch.cat([z, y_vec.view(b, n_cls, 1, 1)], dim=1))
        d_real = D(torch.cat([x, y_map], dim=1)).view(-1)
        d_fake = D(torch.cat([fake.detach(), y_map], dim=1)).view(-1)
        lossD = criterion(d_real, torch.ones(b)) + criterion(d_fake, torch.zeros(b))
        oD.zero_grad()
        lossD.backward()
        oD.step()
        lossG = criterion(D(torch.cat([fake, y_map], dim=1)).view(-1), torch.ones(b))
        oG.zero_grad()
        lossG.backward()
        oG.step()
